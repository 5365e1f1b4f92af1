package rpc

import "testing"

// TestPythonInterop drives the server with Python's standard
// xmlrpc.client, the library the Kiwi TCMS tcms-api client is built on.
func TestPythonInterop(t *testing.T) {
	ts := mustServer(t)
	runPython(t, nil, "interop", "testdata/interop.py", ts.URL, adminName, adminPass)
}
