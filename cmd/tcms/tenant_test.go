package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/tcms/tcms/store/storetest"
)

func TestCreateTenantAndServePathPrefix(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": storetest.URL(t), "TCMS_ADDR": "127.0.0.1:0",
		"TCMS_ADMIN_USERNAME": "root", "TCMS_ADMIN_PASSWORD": "root-pass", "TCMS_TENANTS_DOMAIN": "tcms.test"}
	var out bytes.Buffer
	ctx := t.Context()
	for _, args := range [][]string{{"migrate"}, {"initial-setup"},
		{"create-tenant", "-schema", "acme", "-name", "Acme", "-owner", "root"}, {"migrate"}} {
		if err := run(ctx, args, &out, env(vars)); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if !strings.Contains(out.String(), "created tenant acme") {
		t.Fatalf("output: %q", out.String())
	}
	if err := run(ctx, []string{"create-tenant", "-schema", "acme"}, &out, env(vars)); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("incomplete flags: %v", err)
	}
	m := mustServe(t, vars)
	call := func(path string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+m.Addr+path, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"TestPlan.filter","params":[{}]}`))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("root", "root-pass")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := call("/t/acme/json-rpc/"); code != http.StatusOK {
		t.Fatalf("tenant by path prefix: HTTP %d", code)
	}
	if code := call("/t/nobody/json-rpc/"); code != http.StatusNotFound {
		t.Fatalf("unknown tenant: HTTP %d", code)
	}
}

// The administrative commands run as long as they need: the statement
// timeout is for serving.
func TestAdminCommandsIgnoreStatementTimeout(t *testing.T) {
	vars := map[string]string{"DATABASE_URL": storetest.URL(t), "TCMS_STATEMENT_TIMEOUT": "1ms",
		"TCMS_ADMIN_USERNAME": "root", "TCMS_ADMIN_PASSWORD": "root-pass", "TCMS_ADMIN_EMAIL": "root@example.com"}
	var out bytes.Buffer
	for _, args := range [][]string{{"migrate"}, {"initial-setup"}, {"create-tenant", "-schema", "acme", "-name", "Acme", "-owner", "root"}} {
		if err := run(t.Context(), args, &out, env(vars)); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if !strings.Contains(out.String(), "created tenant acme") {
		t.Fatalf("output: %q", out.String())
	}
}
