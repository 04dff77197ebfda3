//! Support for the AWS SDK for Rust tests: starts the real kinesisd (`KINESISD_BIN`, default
//! `../../build/release/kinesisd`) on a free loopback port with a temporary data directory and its default
//! settings (AWS limits on), builds SDK clients for it over http:// (HTTP/1.1) and https:// (its self-signed
//! certificate as the only trusted root, ALPN h2), and stops the server by PID when dropped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::config::{Credentials, Region};
use aws_sdk_kinesis::types::{ConsumerStatus, StreamStatus};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};

pub const REGION: &str = "us-east-1";

/// One kinesisd process and its directory; dropping it sends SIGTERM (SIGKILL after 10 s) to its PID.
pub struct Server {
    child: Child,
    dir: PathBuf,
    pub port: u16,
}

fn binary() -> PathBuf {
    match std::env::var_os("KINESISD_BIN") {
        Some(b) => PathBuf::from(b),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build/release/kinesisd"),
    }
}

/// A process-unique suffix for stream and directory names.
pub fn unique(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000_000;
    format!("{prefix}-{}-{t}-{n}", std::process::id())
}

impl Server {
    pub fn start() -> Server {
        let bin = binary();
        assert!(
            bin.exists(),
            "kinesisd binary not found at {} (set KINESISD_BIN)",
            bin.display()
        );
        let dir = std::env::temp_dir().join(unique("kinesisd-rust"));
        std::fs::create_dir_all(&dir).unwrap();
        let port_file = dir.join("port");
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut cmd = Command::new(&bin);
        cmd.args(["--listen", "127.0.0.1:0", "--log-level", "warn", "--port-file"])
            .arg(&port_file)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // kinesisd reads KINESISD_* variables as settings: none of the test runner's may reach it.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("KINESISD_") {
                cmd.env_remove(k);
            }
        }
        // If the test process dies (ctest's timeout), the kernel kills the server too.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn kinesisd");
        let mut server = Server { child, dir, port: 0 };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("kinesisd exited during start-up ({status}):\n{}", server.log_tail());
            }
            if server.port == 0 {
                if let Ok(text) = std::fs::read_to_string(&port_file) {
                    server.port = text.trim().parse().unwrap_or(0);
                }
            }
            if server.port != 0 && server.healthy() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("kinesisd did not become healthy within 20 s:\n{}", server.log_tail());
    }

    fn healthy(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        s.set_read_timeout(Some(Duration::from_secs(2))).ok();
        if s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut answer = String::new();
        s.read_to_string(&mut answer).is_ok() && answer.starts_with("HTTP/1.1 200")
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        text[text.len().saturating_sub(4000)..].to_string()
    }

    pub fn url(&self, https: bool) -> String {
        format!("{}://127.0.0.1:{}", if https { "https" } else { "http" }, self.port)
    }

    /// A client as an application builds one: aws_config's loader with a region, static credentials (any
    /// key: kinesisd checks the SigV4 shape by default) and endpoint_url; for https an HTTP client whose only
    /// trusted root is the server's self-signed certificate.
    pub async fn client(&self, https: bool) -> Client {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(
                "AKIDEXAMPLE",
                "dummy-secret",
                None,
                None,
                "kinesisd-tests",
            ))
            .endpoint_url(self.url(https));
        if https {
            let pem = std::fs::read(self.dir.join("data/tls/cert.pem")).expect("server certificate");
            let trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(pem);
            let http = aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
                .tls_context(TlsContext::builder().with_trust_store(trust).build().unwrap())
                .build_https();
            loader = loader.http_client(http);
        }
        Client::new(&loader.load().await)
    }

    /// Panics with the server's log when the process has died.
    pub fn assert_alive(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("kinesisd died ({status}):\n{}", self.log_tail());
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id() as libc::pid_t;
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::env::var_os("KINESISD_E2E_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Creates a provisioned stream and polls DescribeStreamSummary until it is ACTIVE.
pub async fn create_active(c: &Client, name: &str, shards: i32) {
    c.create_stream()
        .stream_name(name)
        .shard_count(shards)
        .send()
        .await
        .expect("CreateStream");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = c
            .describe_stream_summary()
            .stream_name(name)
            .send()
            .await
            .expect("DescribeStreamSummary");
        let status = s.stream_description_summary().unwrap().stream_status().clone();
        if status == StreamStatus::Active {
            return;
        }
        assert!(Instant::now() < deadline, "stream {name} still {status:?} after 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Registers an enhanced fan-out consumer and polls DescribeStreamConsumer until it is ACTIVE.
pub async fn register_active(c: &Client, stream_arn: &str, name: &str) -> String {
    let reg = c
        .register_stream_consumer()
        .stream_arn(stream_arn)
        .consumer_name(name)
        .send()
        .await;
    let arn = reg
        .expect("RegisterStreamConsumer")
        .consumer()
        .unwrap()
        .consumer_arn()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = c
            .describe_stream_consumer()
            .consumer_arn(&arn)
            .send()
            .await
            .expect("DescribeStreamConsumer");
        let status = d.consumer_description().unwrap().consumer_status().clone();
        if status == ConsumerStatus::Active {
            return arn;
        }
        assert!(Instant::now() < deadline, "consumer {arn} still {status:?} after 30 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `n` bytes covering every byte value, distinct per `i`.
pub fn payload(i: usize, n: usize) -> Vec<u8> {
    (0..n).map(|j| (i * 7 + j) as u8).collect()
}

/// Orders decimal sequence numbers of any length.
pub fn seq_less(a: &str, b: &str) -> bool {
    (a.len(), a) < (b.len(), b)
}
