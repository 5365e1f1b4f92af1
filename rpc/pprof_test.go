package rpc

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func (ts *testServer) get(path string, header ...string) (int, string) {
	ts.t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPprof(t *testing.T) {
	t.Run("Off", func(t *testing.T) {
		ts := mustServer(t)
		if code, _ := ts.get("/debug/pprof/", "Authorization", "Bearer "+ts.login(adminName, adminPass)); code != http.StatusNotFound {
			t.Fatalf("pprof is off by default, got HTTP %d", code)
		}
	})
	ts := mustServerWith(t, func(c *Config) { c.Pprof = true })
	t.Run("ErrAnonymous", func(t *testing.T) {
		if code, body := ts.get("/debug/pprof/"); code != http.StatusUnauthorized || !strings.Contains(body, "superusers") {
			t.Fatalf("anonymous: HTTP %d %q", code, body)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		if code, body := ts.get("/debug/pprof/heap", "Authorization", "Bearer "+ts.login(userName, userPass)); code != http.StatusForbidden || !strings.Contains(body, "superusers") {
			t.Fatalf("ordinary user: HTTP %d %q", code, body)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if code, body := ts.get("/debug/pprof/", "Authorization", "Bearer "+ts.login(adminName, adminPass)); code != http.StatusOK || !strings.Contains(body, "goroutine") {
			t.Fatalf("superuser: HTTP %d %.200q", code, body)
		}
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/debug/pprof/cmdline", nil)
		req.SetBasicAuth(adminName, adminPass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("superuser with HTTP Basic: HTTP %d", resp.StatusCode)
		}
	})
}
