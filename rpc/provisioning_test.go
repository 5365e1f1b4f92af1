package rpc

import (
	"fmt"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// docScripts returns the python blocks of docs/provisioning.md, each
// written to a file.
func docScripts(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/provisioning.md")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	rest := string(doc)
	for {
		var ok bool
		if _, rest, ok = strings.Cut(rest, "```python\n"); !ok {
			break
		}
		script, after, closed := strings.Cut(rest, "```")
		if !closed {
			t.Fatal("docs/provisioning.md has an unclosed python block")
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("script%d.py", len(paths)+1))
		if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		paths, rest = append(paths, path), after
	}
	if len(paths) != 2 {
		t.Fatalf("docs/provisioning.md has %d python blocks, want 2", len(paths))
	}
	return paths
}

// TestProvisioningDoc runs the example scripts of docs/provisioning.md, as
// written there, against a real server, twice each: they must be
// repeatable.
func TestProvisioningDoc(t *testing.T) {
	scripts := docScripts(t)
	admin := []string{"TCMS_ADMIN_USERNAME=" + adminName, "TCMS_ADMIN_PASSWORD=" + adminPass}

	t.Run("CIAccount", func(t *testing.T) {
		ts := mustServer(t)
		for run := 1; run <= 2; run++ {
			text := runPython(t, append([]string{"TCMS_URL=" + ts.URL}, admin...), "provisioning", scripts[0])
			if !strings.Contains(text, `refused as expected: -32098 Authentication failed when calling "Group.create": permission auth.add_group required`) ||
				!strings.Contains(text, "ci-bot holds 24 labels") {
				t.Fatalf("run %d:\n%s", run, text)
			}
		}
	})
	// The issue 19 script: the server runs with tenants, a short invitation
	// lifetime and its mail going to the script's SMTP port.
	t.Run("Lifecycle", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		mailAddr := ln.Addr().String()
		ln.Close()
		ts := mustServerWith(t, func(c *Config) {
			c.TenantsDomain, c.InvitationTTL = tenantsDomain, 4*time.Second
			c.SendMail = func(to, msg string) error {
				return smtp.SendMail(mailAddr, nil, "tcms@localhost", []string{to}, []byte("From: tcms@localhost\r\nTo: "+to+"\r\n"+msg))
			}
		})
		_, port, _ := net.SplitHostPort(mailAddr)
		for run := 1; run <= 2; run++ {
			text := runPython(t, append([]string{"TCMS_URL=" + ts.URL, "MAIL_PORT=" + port}, admin...), "lifecycle", scripts[1])
			for _, want := range []string{"expired: Internal error: This invitation expired on ", "revoked: Internal error: This invitation was revoked",
				"reset twice: Internal error: Invalid password reset token", "export: ", "audit: Tenant.update"} {
				if !strings.Contains(text, want) {
					t.Fatalf("run %d: no %q in\n%s", run, want, text)
				}
			}
		}
	})
}
