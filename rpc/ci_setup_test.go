package rpc

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// runPython runs a Python script with extra environment variables (the
// caller's TCMS_* ones are left out) and returns its output, failing the
// test unless it exits cleanly and its last line is "<want>: OK".
func runPython(t *testing.T, env []string, want string, args ...string) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed for %s", want)
	}
	cmd := exec.Command(python, args...)
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TCMS_") }), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), want+": OK") {
		t.Fatalf("%s failed: %v\n%s", args[0], err, out)
	}
	return string(out)
}

// TestPythonCISetup runs testdata/ci_setup.py: the product, version, build,
// category and priority lookups a Kiwi CI plugin makes, with Python's
// stdlib xmlrpc.client, twice, creating what is missing and then finding it.
func TestPythonCISetup(t *testing.T) {
	ts := mustServer(t)
	runPython(t, nil, "ci_setup", "testdata/ci_setup.py", ts.URL, userName, userPass)
}
