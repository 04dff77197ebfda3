// Package kinesisdgo drives the real kinesisd binary with the AWS SDK for Go v2 (service/kinesis + config).
//
// TestMain starts one kinesisd (KINESISD_BIN, default ../../build/release/kinesisd) on a free loopback port with
// a temporary data directory and its default settings (AWS limits on), runs the tests against it over http://
// (HTTP/1.1) and https:// (its self-signed certificate, ALPN h2), and stops it by PID.
package kinesisdgo

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

const region = "us-east-1"

// server is one kinesisd process with its own temporary directory.
type server struct {
	cmd    *exec.Cmd
	dir    string
	port   int
	logf   *os.File
	exited chan struct{}
}

var srv *server

func binary() string {
	if b := os.Getenv("KINESISD_BIN"); b != "" {
		return b
	}
	return filepath.Join("..", "..", "build", "release", "kinesisd")
}

// isolateEnvironment keeps machine-wide AWS settings (profiles, endpoints, config files) away from the SDK.
func isolateEnvironment() {
	for _, kv := range os.Environ() {
		name := kv[:strings.IndexByte(kv, '=')]
		if strings.HasPrefix(name, "AWS_") {
			os.Unsetenv(name)
		}
	}
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	os.Setenv("NO_PROXY", "127.0.0.1,localhost")
}

func startServer() (*server, error) {
	bin := binary()
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("kinesisd binary not found at %s (set KINESISD_BIN): %w", bin, err)
	}
	dir, err := os.MkdirTemp("", "kinesisd-go-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, exited: make(chan struct{})}
	s.logf, err = os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	portFile := filepath.Join(dir, "port")
	s.cmd = exec.Command(bin, "--listen", "127.0.0.1:0", "--port-file", portFile,
		"--data-dir", filepath.Join(dir, "data"), "--log-level", "warn")
	// kinesisd reads KINESISD_* variables as settings: none of the test runner's may reach it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KINESISD_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Stdout, s.cmd.Stderr = s.logf, s.logf
	// If this test process dies (ctest's timeout), the kernel kills the server too.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("kinesisd exited during start-up: %s\n%s", s.cmd.ProcessState, s.logTail())
		default:
		}
		if s.port == 0 {
			if text, err := os.ReadFile(portFile); err == nil {
				if p, err := strconv.Atoi(strings.TrimSpace(string(text))); err == nil && p > 0 {
					s.port = p
				}
			}
		}
		if s.port != 0 && s.healthy() {
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("kinesisd did not become healthy within 20s:\n%s", s.logTail())
}

func (s *server) healthy() bool {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(s.url(false) + "/health")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop sends SIGTERM to the server's PID, SIGKILL after 10 s, and removes its directory.
func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	s.logf.Close()
	if os.Getenv("KINESISD_E2E_KEEP") != "1" {
		os.RemoveAll(s.dir)
	}
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (s *server) url(https bool) string {
	scheme := "http"
	if https {
		scheme = "https"
	}
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, s.port)
}

func (s *server) certPath() string { return filepath.Join(s.dir, "data", "tls", "cert.pem") }

func TestMain(m *testing.M) {
	isolateEnvironment()
	var err error
	srv, err = startServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: cannot start kinesisd:", err)
		os.Exit(1)
	}
	code := m.Run()
	select {
	case <-srv.exited:
		fmt.Fprintf(os.Stderr, "FAIL: kinesisd died during the tests (%s)\n%s", srv.cmd.ProcessState, srv.logTail())
		code = 1
	default:
	}
	srv.stop()
	os.Exit(code)
}

// newClient builds a client as an application would: config.LoadDefaultConfig with a region, static
// credentials (any key: kinesisd checks the SigV4 shape by default) and BaseEndpoint; for https the server's
// self-signed certificate is the CA bundle.
func newClient(t testing.TB, https bool) *kinesis.Client {
	t.Helper()
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "dummy-secret", "")),
	}
	if https {
		pem, err := os.ReadFile(srv.certPath())
		if err != nil {
			t.Fatalf("server certificate: %v", err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.url(https)) })
}

// transports runs f once over http:// and once over https://.
func transports(t *testing.T, f func(t *testing.T, c *kinesis.Client, https bool)) {
	for _, https := range []bool{false, true} {
		name := "http"
		if https {
			name = "https"
		}
		t.Run(name, func(t *testing.T) { f(t, newClient(t, https), https) })
	}
}

func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}
