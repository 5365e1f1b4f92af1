package rpc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// batchBody is a JSON-RPC batch of n calls of one method.
func batchBody(n int, method string, params ...any) string {
	calls := make([]map[string]any, n)
	for i := range calls {
		calls[i] = map[string]any{"jsonrpc": "2.0", "id": i + 1, "method": method, "params": params}
	}
	b, _ := json.Marshal(calls)
	return string(b)
}

// multicallBody is a system.multicall document of n calls of one method
// with one parameter, an XML-RPC <value>.
func multicallBody(n int, method, param string) string {
	call := "<value><struct><member><name>methodName</name><value><string>" + method +
		"</string></value></member><member><name>params</name><value><array><data>" + param + "</data></array></value></member></struct></value>"
	return `<?xml version="1.0"?><methodCall><methodName>system.multicall</methodName><params><param><value><array><data>` +
		strings.Repeat(call, n) + `</data></array></value></param></params></methodCall>`
}

// xmlStruct is an XML-RPC struct of one string member.
func xmlStruct(name, value string) string {
	return "<value><struct><member><name>" + name + "</name><value><string>" + value + "</string></value></member></struct></value>"
}

// basicAuth is the header pair of HTTP Basic credentials.
func basicAuth(user, pass string) []string {
	return []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}
}

func TestBatchLimit(t *testing.T) {
	ts := mustServerWith(t, func(c *Config) { c.MaxBatch = 3 })
	auth := basicAuth(adminName, adminPass)
	create := func(n int) string {
		calls := make([]map[string]any, n)
		for i := range calls {
			calls[i] = map[string]any{"jsonrpc": "2.0", "id": i + 1, "method": "Classification.create", "params": []any{map[string]any{"name": fmt.Sprint("c", i)}}}
		}
		b, _ := json.Marshal(calls)
		return string(b)
	}
	count := func() int {
		var got []any
		result(t, ts.jsonCall("Classification.filter", []any{map[string]any{}}, auth...), &got)
		return len(got)
	}

	t.Run("ErrJSONBatch", func(t *testing.T) {
		_, text := ts.post("/json-rpc/", "application/json", create(4), auth...)
		want := `{"id":null,"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: a batch may hold at most 3 calls; this one has 4"}}`
		if text != want || count() != 0 {
			t.Fatalf("got %s and %d classifications, want %s and none", text, count(), want)
		}
	})
	t.Run("ErrMulticall", func(t *testing.T) {
		f, _ := ts.xmlFault(multicallBody(4, "Classification.create", xmlStruct("name", "x")), auth...)
		if f == nil || f.Code != CodeInvalidRequest || f.String != "Invalid request: system.multicall may hold at most 3 calls; this one has 4" || count() != 0 {
			t.Fatalf("got %v and %d classifications", f, count())
		}
	})
	t.Run("OKAtTheLimit", func(t *testing.T) {
		var got []jsonResponse
		_, text := ts.post("/json-rpc/", "application/json", create(3), auth...)
		if err := json.Unmarshal([]byte(text), &got); err != nil || len(got) != 3 || count() != 3 {
			t.Fatalf("got %s", text)
		}
		if f, _ := ts.xmlFault(multicallBody(3, "system.listMethods", ""), auth...); f != nil {
			t.Fatal(f)
		}
	})
}

func TestReplyLimits(t *testing.T) {
	const limit = 64 << 10
	ts := mustServerWith(t, func(c *Config) { c.MaxResponseBytes = limit })
	admin := ts.as(adminName, adminPass)
	_, cat := mustCategory(t, admin)
	for i := range 4 { // 4 x 20,000 characters of text: one filter is too much
		result(t, admin("TestCase.create", map[string]any{"summary": fmt.Sprint("big ", i), "text": strings.Repeat("x", 20000),
			"case_status": 2, "category": cat, "priority": 1}), new(any))
	}
	auth := basicAuth(adminName, adminPass)
	const tooLarge = "Internal error: reply too large: it would exceed 65536 bytes, the most this server sends; ask for less at a time"

	t.Run("ErrOneCall", func(t *testing.T) {
		wantFault(t, ts.jsonCall("TestCase.filter", []any{map[string]any{}}, auth...), CodeInternal, tooLarge)
		f, _ := ts.xmlFault(`<?xml version="1.0"?><methodCall><methodName>TestCase.filter</methodName><params><param><value><struct></struct></value></param></params></methodCall>`, auth...)
		if f == nil || f.Code != CodeInternal || f.String != tooLarge {
			t.Fatalf("XML-RPC: %v", f)
		}
	})
	t.Run("ErrBatch", func(t *testing.T) {
		body := `[{"jsonrpc":"2.0","id":1,"method":"TestCase.filter","params":[{"pk":1}]},` +
			`{"jsonrpc":"2.0","id":2,"method":"TestCase.filter","params":[{}]},` +
			`{"jsonrpc":"2.0","id":3,"method":"Classification.create","params":[{"name":"never"}]}]`
		_, text := ts.post("/json-rpc/", "application/json", body, auth...)
		want := `{"id":null,"jsonrpc":"2.0","error":{"code":-32603,"message":"` + tooLarge + ` (at call 2 of 3: calls 1 to 2 ran, the rest did not)"}}`
		if text != want {
			t.Fatalf("got %s\nwant %s", text, want)
		}
		var left []any
		result(t, admin("Classification.filter", map[string]any{"name": "never"}), &left)
		if len(left) != 0 {
			t.Error("a call after the one that broke the limit ran")
		}
		f, _ := ts.xmlFault(multicallBody(3, "TestCase.filter", xmlStruct("summary__startswith", "big")), auth...)
		if f == nil || f.Code != CodeInternal || f.String != tooLarge+" (at call 1 of 3: calls 1 to 1 ran, the rest did not)" {
			t.Fatalf("multicall: %v", f)
		}
	})
	t.Run("OKUnderTheLimit", func(t *testing.T) {
		resp, text := ts.post("/json-rpc/", "application/json", `{"jsonrpc":"2.0","id":1,"method":"TestCase.filter","params":[{"pk__in":[1,2]}]}`, auth...)
		if resp.ContentLength != int64(len(text)) || !strings.Contains(text, `"summary":"big 1"`) {
			t.Fatalf("Content-Length %d for %d bytes: %.200s", resp.ContentLength, len(text), text)
		}
	})
}
