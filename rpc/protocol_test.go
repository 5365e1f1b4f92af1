package rpc

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestHTTPLevel(t *testing.T) {
	ts := mustServer(t)
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		text                            string
	}{
		{"ErrGET", "GET", "/xml-rpc/", "", "", 405, "POST only"},
		{"ErrGETJSON", "GET", "/json-rpc/", "", "", 405, "POST only"},
		{"ErrNoContentType", "POST", "/json-rpc/", "", "{}", 400, "the Content-Type header is mandatory"},
		{"ErrWrongContentType", "POST", "/json-rpc/", "text/xml", "{}", 400, "unsupported Content-Type text/xml"},
		{"ErrXMLWrongContentType", "POST", "/xml-rpc/", "application/json", "{}", 400, "unsupported Content-Type application/json"},
		{"ErrTooLarge", "POST", "/json-rpc/", "application/json", strings.Repeat(" ", DefaultMaxBodyBytes+1), 413, "too large"},
		{"ErrJSONWithoutSlash", "POST", "/json-rpc/extra", "application/json", "{}", 404, ""},
		{"JSONNoTrailingSlash", "POST", "/json-rpc", "application/json", `{"jsonrpc":"2.0","method":"system.listMethods","id":1}`, 200, "Auth.login"},
		{"XMLNoTrailingSlash", "POST", "/xml-rpc", "text/xml", call0("system.listMethods"), 200, "Auth.login"},
		{"Healthz", "GET", "/healthz", "", "", 200, "ok"},
		{"Readyz", "GET", "/readyz", "", "", 200, "ready"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader(c.body))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			buf := make([]byte, 4096)
			n, _ := resp.Body.Read(buf)
			b.Write(buf[:n])
			if resp.StatusCode != c.status || !strings.Contains(b.String(), c.text) {
				t.Fatalf("want %d %q, got %d %q", c.status, c.text, resp.StatusCode, b.String())
			}
			if c.status == 405 && resp.Header.Get("Allow") != "POST" {
				t.Fatalf("405 without Allow: POST")
			}
		})
	}
	t.Run("ContentTypeVariants", func(t *testing.T) {
		for _, ct := range []string{"application/json-rpc", "application/jsonrequest", "Application/JSON; charset=utf-8"} {
			resp, text := ts.post("/json-rpc/", ct, `{"jsonrpc":"2.0","method":"system.listMethods","id":1}`)
			if resp.StatusCode != 200 || !strings.Contains(text, "Auth.login") {
				t.Fatalf("%s: %d %s", ct, resp.StatusCode, text)
			}
		}
	})
}

func TestJSONRPC(t *testing.T) {
	ts := mustServer(t)
	raw := func(body string) (int, string) {
		resp, text := ts.post("/json-rpc/", "application/json", body)
		return resp.StatusCode, text
	}
	cases := []struct{ name, body, want string }{
		{"OKKeyOrder", `{"jsonrpc":"2.0","method":"system.methodSignature","params":["Auth.login"],"id":"x"}`,
			`{"id":"x","jsonrpc":"2.0","result":[["string","string","string"]]}`},
		{"OKNamedParams", `{"jsonrpc":"2.0","method":"system.methodSignature","params":{"method_name":"nope"},"id":2}`,
			`{"id":2,"jsonrpc":"2.0","result":"undef"}`},
		{"OKNullID", `{"jsonrpc":"2.0","method":"system.methodSignature","params":["nope"],"id":null}`,
			`{"id":null,"jsonrpc":"2.0","result":"undef"}`},
		{"ErrParse", `{"jsonrpc":"2.0",`,
			`{"id":null,"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error, unable to read the request: invalid JSON`},
		{"ErrInvalidUTF8", "{\"jsonrpc\":\"2.0\",\"method\":\"a\xff\",\"id\":1}",
			`{"id":null,"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error, unable to read the request: the request is not valid UTF-8"}}`},
		{"ErrNoVersion", `{"method":"system.listMethods","id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: jsonrpc required"}}`},
		{"ErrVersion", `{"jsonrpc":"1.0","method":"system.listMethods","id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: Parameter \"jsonrpc\" has an unsupported value \"1.0\". It must be set to \"2.0\""}}`},
		{"ErrBadID", `{"jsonrpc":"2.0","method":"system.listMethods","id":{"a":1}}`,
			`{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: \"id\" must be a string, a number or null"}}`},
		{"ErrNoMethod", `{"jsonrpc":"2.0","id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: method must be a non-empty string"}}`},
		{"ErrUnknownMethod", `{"jsonrpc":"2.0","method":"TestRun.nope","id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: \"TestRun.nope\""}}`},
		{"ErrGoName", `{"jsonrpc":"2.0","method":"Auth.Login","id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: \"Auth.Login\""}}`},
		{"ErrTooManyParams", `{"jsonrpc":"2.0","method":"system.listMethods","params":[1],"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid parameters: expected 0 parameters, got 1"}}`},
		{"ErrParamType", `{"jsonrpc":"2.0","method":"system.methodHelp","params":[[1,2]],"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid parameters: method_name: expected a string, got an array"}}`},
		{"ErrUnknownKeyword", `{"jsonrpc":"2.0","method":"system.methodHelp","params":{"name":"x"},"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid parameters: missing required argument \"method_name\""}}`},
		{"ErrParamsScalar", `{"jsonrpc":"2.0","method":"system.listMethods","params":5,"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: params must be an array or an object"}}`},
		{"ErrNotObject", `5`,
			`{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: a request must be a JSON object"}}`},
		{"ErrEmptyBatch", `[]`,
			`{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: empty batch"}}`},
		{"ErrDeep", `{"jsonrpc":"2.0","method":"system.listMethods","params":[` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `],"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error, unable to read the request: values nested too deeply"}}`},
		{"ErrRestrictedKey", `{"jsonrpc":"2.0","method":"User.filter","params":[{"password__contains":"a"}],"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: Unsupported field"}}`},
		{"ErrMulticallOverJSON", `{"jsonrpc":"2.0","method":"system.multicall","params":[[]],"id":1}`,
			`{"id":1,"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: \"system.multicall\""}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, text := raw(c.body)
			if status != 200 || !strings.HasPrefix(text, c.want) {
				t.Fatalf("want 200 %s\n got %d %s", c.want, status, text)
			}
		})
	}
	t.Run("Notification", func(t *testing.T) {
		status, text := raw(`{"jsonrpc":"2.0","method":"system.listMethods"}`)
		if status != http.StatusNoContent || text != "" {
			t.Fatalf("want 204 and no body, got %d %q", status, text)
		}
	})
	t.Run("Batch", func(t *testing.T) {
		status, text := raw(`[{"jsonrpc":"2.0","method":"system.methodSignature","params":["x"],"id":1},
			{"jsonrpc":"2.0","method":"system.listMethods"},
			{"jsonrpc":"2.0","method":"nope.nope","id":3}, 7]`)
		want := `[{"id":1,"jsonrpc":"2.0","result":"undef"},{"id":3,"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: \"nope.nope\""}},{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: a request must be a JSON object"}}]`
		if status != 200 || text != want {
			t.Fatalf("got %d %s", status, text)
		}
	})
	t.Run("BatchOfNotifications", func(t *testing.T) {
		if status, _ := raw(`[{"jsonrpc":"2.0","method":"system.listMethods"}]`); status != http.StatusNoContent {
			t.Fatalf("want 204, got %d", status)
		}
	})
	t.Run("BatchLoginSetsCookie", func(t *testing.T) {
		resp, text := ts.post("/json-rpc/", "application/json", `[{"jsonrpc":"2.0","method":"Auth.login","params":["admin","admin-pass-1"],"id":1}]`)
		if !strings.Contains(resp.Header.Get("Set-Cookie"), "sessionid=") {
			t.Fatalf("no cookie from a batched login: %s", text)
		}
	})
}

func TestIntrospection(t *testing.T) {
	ts := mustServer(t)
	r := ts.jsonCall("system.listMethods", nil)
	var names []string
	json.Unmarshal(r.Result, &names)
	for _, want := range []string{"Auth.login", "Auth.logout", "KiwiTCMS.version", "system.listMethods", "system.methodHelp", "system.methodSignature", "system.multicall"} {
		if !contains(names, want) {
			t.Errorf("listMethods lacks %s: %v", want, names)
		}
	}
	r = ts.jsonCall("system.methodHelp", []any{"Auth.login"})
	var help string
	json.Unmarshal(r.Result, &help)
	if !strings.HasPrefix(help, "Auth.login(username: string, password: string) -> string") || !strings.Contains(help, "Access: anonymous") {
		t.Fatalf("methodHelp: %q", help)
	}
	wantFault(t, ts.jsonCall("system.methodHelp", []any{"No.such"}), CodeNoMethod, `Method not found: "No.such"`)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestMetrics(t *testing.T) {
	ts := mustServer(t)
	ts.jsonCall("system.listMethods", nil)
	ts.jsonCall("KiwiTCMS.version", nil)
	ts.jsonCall("No.such", nil)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	io.Copy(&b, resp.Body)
	for _, want := range []string{
		`tcms_rpc_calls_total{method="system.listMethods",code="0"} 1`,
		`tcms_rpc_calls_total{method="KiwiTCMS.version",code="-32098"} 1`,
		`tcms_rpc_calls_total{method="unknown",code="-32601"} 1`,
		`tcms_rpc_duration_seconds_count{method="system.listMethods"} 1`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestNullCharacters: PostgreSQL stores no NUL in text, and JSON can send
// one ("\u0000"; XML cannot). Every write refuses it with a clear fault,
// as Kiwi's forms do, and writes nothing.
func TestNullCharacters(t *testing.T) {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	f := mustRunFixture(t, admin)
	var cats []map[string]any
	result(t, admin("Category.filter", map[string]any{"product": f.product}), &cats)
	newCase := func(summary string) map[string]any {
		return map[string]any{"summary": summary, "case_status": 2, "category": cats[0]["id"], "priority": 1}
	}
	var tc struct{ ID int64 }
	result(t, admin("TestCase.create", newCase("first")), &tc)
	var execs []struct{ ID int64 }
	result(t, admin("TestRun.add_case", f.run, tc.ID), &execs)
	const nul = "a\x00b"
	for _, c := range []struct {
		method string
		params []any
		model  string
	}{
		{"TestCase.create", []any{newCase(nul)}, "TestCase"},
		{"TestCase.bulk_create", []any{[]any{newCase("fine"), newCase(nul)}}, "TestCase"},
		{"TestRun.create", []any{f.runValues(nul)}, "TestRun"},
		{"TestExecution.bulk_update", []any{[]any{map[string]any{"id": execs[0].ID, "status": 5, "comment": nul}}}, "TestExecution"},
		{"TestExecution.add_comment", []any{execs[0].ID, nul}, "Comment"},
		{"Bug.create", []any{map[string]any{"summary": nul, "product": f.product, "version": f.version, "build": f.build}}, "Bug"},
	} {
		wantFault(t, admin(c.method, c.params...), -32603, "Internal error: "+c.model+": Null characters are not allowed.")
	}
	for m, want := range map[string]int{"TestCase.filter": 1, "TestRun.filter": 1, "Bug.filter": 0} {
		if n := rowCount(t, admin(m, map[string]any{})); n != want {
			t.Errorf("%s: %d rows, want %d", m, n, want)
		}
	}
	var e []map[string]any
	result(t, admin("TestExecution.filter", map[string]any{"pk": execs[0].ID}), &e)
	if e[0]["status"] != 1.0 || rowCount(t, admin("TestExecution.get_comments", execs[0].ID)) != 0 {
		t.Errorf("execution changed: %v", e[0])
	}
}
