package rpc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProvisioningDoc runs the example script of docs/provisioning.md, as
// written there, against a real server, twice: it must be repeatable.
func TestProvisioningDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/provisioning.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```python\n")
	script, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("docs/provisioning.md has no python block")
	}
	path := filepath.Join(t.TempDir(), "provision.py")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := mustServer(t)
	for run := 1; run <= 2; run++ {
		text := runPython(t, []string{"TCMS_URL=" + ts.URL, "TCMS_ADMIN_USERNAME=" + adminName, "TCMS_ADMIN_PASSWORD=" + adminPass}, "provisioning", path)
		if !strings.Contains(text, `refused as expected: -32098 Authentication failed when calling "Group.create": permission auth.add_group required`) ||
			!strings.Contains(text, "ci-bot holds 24 labels") {
			t.Fatalf("run %d:\n%s", run, text)
		}
	}
}
