package rpc

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPythonCISetup runs testdata/ci_setup.py: the product, version, build,
// category and priority lookups a Kiwi CI plugin makes, with Python's
// stdlib xmlrpc.client, twice, creating what is missing and then finding it.
func TestPythonCISetup(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed for the CI setup test")
	}
	ts := mustServer(t)
	out, err := exec.Command(python, "testdata/ci_setup.py", ts.URL, userName, userPass).CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "ci_setup: OK") {
		t.Fatalf("ci_setup.py failed: %v\n%s", err, out)
	}
}
