package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// cannedServer answers every request with the body reply gives for the
// request body, and records the last request.
type cannedServer struct {
	*httptest.Server
	path, auth, ctype, body string
}

func newCanned(t *testing.T, reply func(body string) string) *cannedServer {
	c := &cannedServer{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.path, c.auth, c.ctype, c.body = r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)
		io.WriteString(w, reply(c.body))
	}))
	t.Cleanup(c.Close)
	return c
}

func TestJSON(t *testing.T) {
	ctx := context.Background()
	srv := newCanned(t, func(body string) string {
		switch {
		case strings.Contains(body, `"Auth.login"`):
			return `{"jsonrpc":"2.0","result":"tok","id":1}`
		case strings.Contains(body, `"Nope.x"`):
			return `{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: \"Nope.x\""},"id":2}`
		}
		return `{"jsonrpc":"2.0","result":[{"id":7,"name":"a"}],"id":3}`
	})
	c := New(srv.URL+"/", JSON, 2)
	if err := c.Login(ctx, "u", "p"); err != nil || c.Token() != "tok" {
		t.Fatalf("login: %v %q", err, c.Token())
	}
	var req jsonRequest
	if err := json.Unmarshal([]byte(srv.body), &req); err != nil || req.JSONRPC != "2.0" || req.Method != "Auth.login" ||
		len(req.Params) != 2 || req.Params[0] != "u" || srv.path != "/json-rpc/" || srv.ctype != "application/json" {
		t.Fatalf("login request %s to %s (%s): %v", srv.body, srv.path, srv.ctype, err)
	}
	var rows []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	if err := c.Call(ctx, "Product.filter", nil, &rows); err != nil || len(rows) != 1 || rows[0].ID != 7 {
		t.Fatalf("call: %v %+v", err, rows)
	}
	if srv.auth != "Bearer tok" || !strings.Contains(srv.body, `"params":[]`) {
		t.Fatalf("after login: auth %q body %s", srv.auth, srv.body)
	}
	var f *Fault
	if err := c.Call(ctx, "Nope.x", []any{1}, nil); !errors.As(err, &f) || f.Code != -32601 || f.Message != `Method not found: "Nope.x"` {
		t.Fatalf("fault: %v", err)
	}
}

func TestXML(t *testing.T) {
	ctx := context.Background()
	const ok = `<?xml version="1.0"?>
<methodResponse><params><param><value><array><data><value><struct>
<member><name>id</name><value><int>7</int></value></member>
<member><name>summary</name><value><string>a &amp; b</string></value></member>
<member><name>stop_date</name><value><nil/></value></member>
<member><name>create_date</name><value><dateTime.iso8601>20260106T20:30:00</dateTime.iso8601></value></member>
<member><name>is_automated</name><value><boolean>1</boolean></value></member>
<member><name>weight</name><value><double>1.5</double></value></member>
</struct></value></data></array></value></param></params></methodResponse>`
	const fault = `<?xml version="1.0"?>
<methodResponse><fault><value><struct>
<member><name>faultCode</name><value><int>-32603</int></value></member>
<member><name>faultString</name><value><string>Internal error: TestRun matching query does not exist.</string></value></member>
</struct></value></fault></methodResponse>`
	srv := newCanned(t, func(body string) string {
		if strings.Contains(body, "TestRun.get") {
			return fault
		}
		return ok
	})
	c := New(srv.URL, XML, 1)
	var rows []struct {
		ID          int64    `json:"id"`
		Summary     string   `json:"summary"`
		StopDate    *string  `json:"stop_date"`
		CreateDate  string   `json:"create_date"`
		IsAutomated bool     `json:"is_automated"`
		Weight      float64  `json:"weight"`
		Missing     *float64 `json:"missing"`
	}
	when := time.Date(2026, 1, 6, 20, 30, 0, 0, time.FixedZone("CET", 3600))
	err := c.Call(ctx, "TestCase.filter", []any{map[string]any{"b": []any{int64(1), 2.5, true, nil}, "a": "x<y", "t": when}}, &rows)
	if err != nil || len(rows) != 1 {
		t.Fatalf("call: %v %+v", err, rows)
	}
	r := rows[0]
	if r.ID != 7 || r.Summary != "a & b" || r.StopDate != nil || !strings.HasPrefix(r.CreateDate, "2026-01-06T20:30:00") || !r.IsAutomated || r.Weight != 1.5 {
		t.Fatalf("decoded %+v", r)
	}
	want := `<?xml version="1.0"?><methodCall><methodName>TestCase.filter</methodName><params><param><value><struct>` +
		`<member><name>a</name><value><string>x&lt;y</string></value></member>` +
		`<member><name>b</name><value><array><data><value><int>1</int></value><value><double>2.5</double></value><value><boolean>1</boolean></value><value><nil/></value></data></array></value></member>` +
		`<member><name>t</name><value><dateTime.iso8601>20260106T19:30:00</dateTime.iso8601></value></member>` +
		`</struct></value></param></params></methodCall>`
	if srv.body != want || srv.path != "/xml-rpc/" || srv.ctype != "text/xml" {
		t.Fatalf("request to %s (%s):\n%s\nwant\n%s", srv.path, srv.ctype, srv.body, want)
	}
	var f *Fault
	if err := c.Call(ctx, "TestRun.get", []any{1}, nil); !errors.As(err, &f) || f.Code != -32603 || !strings.HasSuffix(f.Message, "does not exist.") {
		t.Fatalf("fault: %v", err)
	}
}

func TestHTTPError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
	}))
	defer srv.Close()
	err := New(srv.URL, JSON, 1).Call(context.Background(), "X.y", nil, nil)
	var f *Fault
	if err == nil || errors.As(err, &f) || !strings.Contains(err.Error(), "HTTP 413: Request body too large.") {
		t.Fatalf("want an HTTP error, got %v", err)
	}
}

func TestParseProtocol(t *testing.T) {
	for s, want := range map[string]Protocol{"json": JSON, "XML": XML} {
		if p, err := ParseProtocol(s); err != nil || p != want || p.String() != strings.ToLower(s) {
			t.Fatalf("%s: %v %v", s, p, err)
		}
	}
	if _, err := ParseProtocol("soap"); err == nil {
		t.Fatal("soap is no protocol")
	}
}
