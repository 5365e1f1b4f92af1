package rpc

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPythonInterop drives the server with Python's standard
// xmlrpc.client, the library the Kiwi TCMS tcms-api client is built on.
func TestPythonInterop(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed for the interop test")
	}
	ts := mustServer(t)
	out, err := exec.Command(python, "testdata/interop.py", ts.URL, adminName, adminPass).CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "interop: OK") {
		t.Fatalf("interop.py failed: %v\n%s", err, out)
	}
}
