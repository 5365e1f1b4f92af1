package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestMigrateSaysWhatItApplied: on an empty database migrate names what
// it creates; run again, it says there is nothing to apply.
func TestMigrateSaysWhatItApplied(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": storetest.EmptyURL(t)}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"migrate"}, &out, env(vars)); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if !strings.HasPrefix(first, "schema public: created ") || !strings.Contains(first, " tables; ") || strings.Contains(out.String(), "up to date") {
		t.Fatalf("first migration: %q", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"migrate"}, &out, env(vars)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "database schema is up to date: nothing to apply\n") {
		t.Fatalf("second migration: %q", out.String())
	}
}

// mustServe runs `tcms serve` with the variables until the test ends.
func mustServe(t *testing.T, vars map[string]string) *Main {
	t.Helper()
	cfg, err := loadConfig("serve", nil, env(vars))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMain(cfg)
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestSetupAndServe(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": storetest.URL(t), "TCMS_ADDR": "127.0.0.1:0"}
	var out bytes.Buffer
	ctx := t.Context()

	for i := 0; i < 2; i++ { // both commands are idempotent
		if err := run(ctx, []string{"migrate"}, &out, env(vars)); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(ctx, []string{"initial-setup"}, &out, env(vars)); err != nil || !strings.Contains(out.String(), "No superuser exists yet") {
		t.Fatalf("initial-setup without admin variables should say how: %v %q", err, out.String())
	}
	vars["TCMS_ADMIN_USERNAME"], vars["TCMS_ADMIN_PASSWORD"], vars["TCMS_ADMIN_EMAIL"] = "root", "root-pass", "root@example.com"
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := run(ctx, []string{"initial-setup"}, &out, env(vars)); err != nil {
			t.Fatal(err)
		}
		if created := strings.Contains(out.String(), `created superuser "root"`); created != (i == 0) {
			t.Fatalf("run %d: %q", i, out.String())
		}
	}

	m := mustServe(t, vars)
	body := `<?xml version="1.0"?><methodCall><methodName>Auth.login</methodName><params><param><value>root</value></param><param><value>root-pass</value></param></params></methodCall>`
	resp, err := http.Post("http://"+m.Addr+"/xml-rpc/", "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Set-Cookie"), "sessionid=") {
		t.Fatalf("login through the served binary: %d %v", resp.StatusCode, resp.Header)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := map[string]map[string]string{
		"DATABASE_URL is not set":             {},
		"TCMS_SESSION_TTL":                    {"DATABASE_URL": "x", "TCMS_SESSION_TTL": "soon"},
		"TCMS_ESCAPE_HTML":                    {"DATABASE_URL": "x", "TCMS_ESCAPE_HTML": "maybe"},
		"TCMS_LOG_LEVEL":                      {"DATABASE_URL": "x", "TCMS_LOG_LEVEL": "loud"},
		"TCMS_MAX_BODY_BYTES":                 {"DATABASE_URL": "x", "TCMS_MAX_BODY_BYTES": "-1"},
		"TCMS_SECRET_KEY must be at least 32": {"DATABASE_URL": "x", "TCMS_SECRET_KEY": "short"},
		"TCMS_LOGIN_MAX_FAILURES":             {"DATABASE_URL": "x", "TCMS_LOGIN_MAX_FAILURES": "-1"},
		"TCMS_LOGIN_LOCKOUT":                  {"DATABASE_URL": "x", "TCMS_LOGIN_LOCKOUT": "0s"},
		"TCMS_LOGIN_RATE is gone":             {"DATABASE_URL": "x", "TCMS_LOGIN_RATE": "20"},
		"TCMS_LOGIN_FAILURES_PER_ADDRESS":     {"DATABASE_URL": "x", "TCMS_LOGIN_FAILURES_PER_ADDRESS": "lots"},
		"TCMS_LOGIN_FAILURE_WINDOW":           {"DATABASE_URL": "x", "TCMS_LOGIN_FAILURE_WINDOW": "-1m"},
		"TCMS_MAX_PASSWORD_HASHES":            {"DATABASE_URL": "x", "TCMS_MAX_PASSWORD_HASHES": "0"},
		"TCMS_PPROF":                          {"DATABASE_URL": "x", "TCMS_PPROF": "please"},
		"TCMS_OIDC_ISSUERS":                   {"DATABASE_URL": "x", "TCMS_OIDC_ISSUERS": " , "},
		"TCMS_INVITATION_TTL":                 {"DATABASE_URL": "x", "TCMS_INVITATION_TTL": "a week"},
		"TCMS_PASSWORD_RESET_TTL":             {"DATABASE_URL": "x", "TCMS_PASSWORD_RESET_TTL": "0s"},
		"TCMS_STATEMENT_TIMEOUT":              {"DATABASE_URL": "x", "TCMS_STATEMENT_TIMEOUT": "-1s"},
		"TCMS_DB_POOL_SIZE":                   {"DATABASE_URL": "x", "TCMS_DB_POOL_SIZE": "0"},
		"TCMS_DB_POOL_WAIT":                   {"DATABASE_URL": "x", "TCMS_DB_POOL_WAIT": "0s"},
		"TCMS_MAX_BATCH":                      {"DATABASE_URL": "x", "TCMS_MAX_BATCH": "lots"},
		"TCMS_MAX_RESPONSE_BYTES":             {"DATABASE_URL": "x", "TCMS_MAX_RESPONSE_BYTES": "256MiB"},
		"TCMS_REPLY_MEMORY":                   {"DATABASE_URL": "x", "TCMS_REPLY_MEMORY": "-5"},
		"TCMS_MAX_IN_LIST":                    {"DATABASE_URL": "x", "TCMS_MAX_IN_LIST": "1.5"},
		"TCMS_MAX_REGEX_LENGTH":               {"DATABASE_URL": "x", "TCMS_MAX_REGEX_LENGTH": "0"},
	}
	for want, vars := range cases {
		if _, err := loadConfig("serve", nil, env(vars)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"frobnicate"}, &out, env(map[string]string{"DATABASE_URL": "x"})); err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %v", err)
	}
	if err := run(t.Context(), []string{"docs"}, &out, env(nil)); err != nil || !strings.Contains(out.String(), "### Auth.login") {
		t.Fatalf("docs: %v", err)
	}
}

func TestAdminCommands(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": storetest.URL(t)}
	ctx := t.Context()
	var out bytes.Buffer
	if err := run(ctx, []string{"refresh-permissions"}, &out, env(vars)); err != nil || !strings.Contains(out.String(), "the default labels they never received") {
		t.Fatalf("refresh-permissions: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"set-domain", "tcms.example.com:8443"}, &out, env(vars)); err != nil || !strings.Contains(out.String(), "domain set to tcms.example.com:8443") {
		t.Fatalf("set-domain: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"set-domain", "http://x/y"}, &out, env(vars)); err == nil {
		t.Fatal("set-domain should refuse a URL")
	}
	stdin = strings.NewReader("from-stdin-1\n")
	out.Reset()
	if err := run(ctx, []string{"createsuperuser", "-username", "carol", "-email", "c@example.com"}, &out, env(vars)); err != nil || !strings.Contains(out.String(), `created superuser "carol"`) {
		t.Fatalf("createsuperuser: %v %q", err, out.String())
	}
	stdin = strings.NewReader("")
	if err := run(ctx, []string{"createsuperuser", "-username", "dave"}, &out, env(vars)); err == nil {
		t.Fatal("createsuperuser without a password should fail")
	}
}

func TestLimitsConfig(t *testing.T) {
	cfg, err := loadConfig("serve", nil, env(map[string]string{"DATABASE_URL": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	want := limits{StatementTimeout: 30 * time.Second, PoolWait: 5 * time.Second,
		MaxBatch: 1000, MaxResponseBytes: 256 << 20, ReplyMemory: 256 << 20, MaxInList: 10000, MaxRegexLength: 1000}
	if cfg.Limits != want || store.DefaultPoolSize() < 32 {
		t.Errorf("defaults: got %+v and a pool of %d, want %+v and at least 32", cfg.Limits, store.DefaultPoolSize(), want)
	}
	cfg, err = loadConfig("serve", nil, env(map[string]string{"DATABASE_URL": "x", "TCMS_STATEMENT_TIMEOUT": "0",
		"TCMS_DB_POOL_SIZE": "9", "TCMS_DB_POOL_WAIT": "250ms", "TCMS_MAX_BATCH": "10", "TCMS_MAX_RESPONSE_BYTES": "1048576",
		"TCMS_REPLY_MEMORY": "2097152", "TCMS_MAX_IN_LIST": "50", "TCMS_MAX_REGEX_LENGTH": "60"}))
	want = limits{PoolWait: 250 * time.Millisecond, PoolSize: 9, MaxBatch: 10, MaxResponseBytes: 1 << 20,
		ReplyMemory: 2 << 20, MaxInList: 50, MaxRegexLength: 60}
	if err != nil || cfg.Limits != want {
		t.Errorf("set: got %+v, %v, want %+v", cfg.Limits, err, want)
	}
}

func TestReport(t *testing.T) {
	var b bytes.Buffer
	sayFailure(&b, []string{"serve"}, errors.New("open database: refused"))
	var line struct{ Level, Msg, Err string }
	if err := json.Unmarshal(b.Bytes(), &line); err != nil || line.Level != "ERROR" || line.Err != "open database: refused" {
		t.Errorf("serve: %q", b.String())
	}
	b.Reset()
	sayFailure(&b, []string{"migrate"}, errors.New("migrate: refused"))
	if b.String() != "tcms: migrate: refused\n" {
		t.Errorf("migrate: %q", b.String())
	}
}
