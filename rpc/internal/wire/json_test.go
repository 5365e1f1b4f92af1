package wire

import (
	"encoding/json"
	"testing"
)

// FuzzParseJSONCall checks that no body makes the JSON-RPC decoder panic,
// and that it answers either calls or a -32700/-32600 fault.
func FuzzParseJSONCall(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","method":"TestRun.add_case","params":[1,2],"id":1}`,
		`{"jsonrpc":"2.0","method":"TestExecution.update","params":[5,{"status":4,"start_date":"2026-01-06 20:30:00","stop_date":null}],"id":"x"}`,
		`{"jsonrpc":"2.0","method":"Auth.login","params":{"username":"a","password":"b"}}`,
		`[{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":"b"},5]`,
		`[]`, `{`, `null`, `{"jsonrpc":"1.0"}`, `{"jsonrpc":"2.0","method":"x","params":[[[[1e400]]]]}`,
		"{\"method\":\"\xff\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		calls, _, fault := ParseJSONCall(body, 1000)
		if fault != nil {
			if fault.Code != CodeParse && fault.Code != CodeInvalidRequest {
				t.Fatalf("unexpected fault %d %s", fault.Code, fault.Message)
			}
			return
		}
		if len(calls) == 0 {
			t.Fatal("no calls and no fault")
		}
		for _, c := range calls {
			if c.Fault == nil && c.Name == "" {
				t.Fatal("call without a method name")
			}
			if c.ID != nil && !json.Valid(c.ID) {
				t.Fatalf("invalid id %q", c.ID)
			}
		}
	})
}
