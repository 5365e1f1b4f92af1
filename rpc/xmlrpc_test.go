package rpc

import (
	"strings"
	"testing"
	"time"
)

func TestXMLRPC(t *testing.T) {
	ts := mustServer(t)

	t.Run("LoginCookieVersion", func(t *testing.T) {
		c := ts.xmlClient()
		var token, version string
		if err := c.Call("Auth.login", []any{adminName, adminPass}, &token); err != nil {
			t.Fatal(err)
		}
		if err := c.Call("KiwiTCMS.version", nil, &version); err != nil || version != "16.2" {
			t.Fatalf("version over the cookie: %q %v", version, err)
		}
		var none any = "unset"
		if err := c.Call("Auth.logout", nil, &none); err != nil {
			t.Fatal(err)
		}
		err := c.Call("KiwiTCMS.version", nil, &version)
		if err == nil || !strings.Contains(err.Error(), `Fault(-32098): Authentication failed when calling "KiwiTCMS.version"`) {
			t.Fatalf("after logout: %v", err)
		}
	})
	faults := []struct {
		name, doc, header string
		code              int
		prefix            string
	}{
		{"ErrAnonymous", call0("KiwiTCMS.version"), "", CodeAuth, `Authentication failed when calling "KiwiTCMS.version"`},
		{"ErrUnknownMethod", call0("Nope.nope"), "", CodeNoMethod, `Method not found: "Nope.nope"`},
		{"ErrParamCount", `<?xml version="1.0"?><methodCall><methodName>Auth.login</methodName><params><param><value>a</value></param></params></methodCall>`, "", CodeInvalidParams, "Invalid parameters: expected 2 parameters, got 1"},
		{"ErrParamType", `<methodCall><methodName>Auth.login</methodName><params><param><value><int>1</int></value></param><param><value>x</value></param></params></methodCall>`, "", CodeInvalidParams, "Invalid parameters: username: expected a string, got 1"},
		{"ErrMalformed", `<methodCall><methodName>x</methodName`, "", CodeParse, "Parse error, unable to read the request: "},
		{"ErrNoMethodName", `<methodCall><params/></methodCall>`, "", CodeInvalidRequest, "Invalid request: Unable to find method name"},
		{"ErrDoctype", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><methodCall><methodName>&lol2;</methodName></methodCall>`, "", CodeParse, "Parse error, unable to read the request: "},
		{"ErrDeep", `<methodCall><methodName>system.listMethods</methodName><params><param>` + strings.Repeat("<value><array><data>", 2000) + strings.Repeat("</data></array></value>", 2000) + `</param></params></methodCall>`, "", CodeParse, "Parse error, unable to read the request: "},
		{"ErrInvalidUTF8", "<methodCall><methodName>a\xff</methodName></methodCall>", "", CodeParse, "Parse error, unable to read the request: "},
		{"ErrLoginWrong", `<methodCall><methodName>Auth.login</methodName><params><param><value>admin</value></param><param><value>bad</value></param></params></methodCall>`, "", CodeInternal, "Internal error: Wrong username or password"},
	}
	for _, c := range faults {
		t.Run(c.name, func(t *testing.T) {
			f, r := ts.xmlFault(c.doc)
			if f == nil || f.Code != c.code || !strings.HasPrefix(f.String, c.prefix) {
				t.Fatalf("want fault %d %q, got %v in %s", c.code, c.prefix, f, r)
			}
		})
	}
	t.Run("NilAndTypes", func(t *testing.T) {
		// methodSignature of an unknown name answers "undef"; a nil reply is <nil/>.
		_, r := ts.xmlFault(`<methodCall><methodName>Auth.logout</methodName></methodCall>`)
		if !strings.Contains(string(r), "<value><nil/></value>") {
			t.Fatalf("logout should return nil: %s", r)
		}
	})
	t.Run("Multicall", func(t *testing.T) {
		c := ts.xmlClient()
		var out []any
		calls := []any{
			map[string]any{"methodName": "Auth.login", "params": []any{adminName, adminPass}},
			map[string]any{"methodName": "KiwiTCMS.version", "params": []any{}},
			map[string]any{"methodName": "Nope.nope", "params": []any{}},
			map[string]any{"methodName": "system.multicall", "params": []any{[]any{}}},
			map[string]any{"params": []any{}},
		}
		if err := c.Call("system.multicall", []any{calls}, &out); err != nil {
			t.Fatal(err)
		}
		if len(out) != 5 {
			t.Fatalf("want 5 results, got %v", out)
		}
		if v, ok := out[1].([]any); !ok || v[0] != "16.2" {
			t.Fatalf("version inside multicall after login inside multicall: %v", out[1])
		}
		for i, code := range map[int]int64{2: CodeNoMethod, 3: CodeInvalidRequest, 4: CodeInvalidRequest} {
			f, ok := out[i].(map[string]any)
			if !ok || f["faultCode"] != code {
				t.Fatalf("result %d: want fault %d, got %v", i, code, out[i])
			}
		}
	})
	t.Run("BearerHeader", func(t *testing.T) {
		token := ts.login(adminName, adminPass)
		f, r := ts.xmlFault(call0("KiwiTCMS.version"), "Authorization", "Bearer "+token)
		if f != nil || !strings.Contains(string(r), "<string>16.2</string>") {
			t.Fatalf("got %v %s", f, r)
		}
	})
}

func call0(method string) string {
	return `<?xml version="1.0"?><methodCall><methodName>` + method + `</methodName><params></params></methodCall>`
}

func TestEncodeValues(t *testing.T) {
	type wire struct {
		ID     int64      `json:"id"`
		Name   string     `json:"product__name"`
		When   time.Time  `json:"when"`
		Nil    *time.Time `json:"stop"`
		Big    int64      `json:"big"`
		Ratio  float64    `json:"ratio"`
		OK     bool       `json:"ok"`
		Hidden string     `json:"-"`
	}
	v := wire{ID: 1, Name: `<a & 'b'>`, When: time.Date(2026, 1, 6, 20, 30, 0, 123456000, time.UTC), Big: 1 << 40, Ratio: 5400}
	cases := []struct {
		xml, escape bool
		want        string
	}{
		{false, false, `{"id":1,"product__name":"<a & 'b'>","when":"2026-01-06T20:30:00.123","stop":null,"big":1099511627776,"ratio":5400.0,"ok":false}`},
		{false, true, `{"id":1,"product__name":"&lt;a &amp; &#x27;b&#x27;&gt;",`},
		{true, false, `<value><struct><member><name>id</name><value><int>1</int></value></member><member><name>product__name</name><value><string>&lt;a &amp; &#39;b&#39;&gt;</string></value></member><member><name>when</name><value><dateTime.iso8601>20260106T20:30:00</dateTime.iso8601></value></member><member><name>stop</name><value><nil/></value></member><member><name>big</name><value><i8>1099511627776</i8></value></member><member><name>ratio</name><value><double>5400.0</double></value></member><member><name>ok</name><value><boolean>0</boolean></value></member></struct></value>`},
	}
	for _, c := range cases {
		b := newTestReply(1 << 20)
		enc := encoder{buf: b, xml: c.xml, escape: c.escape}
		enc.encode(v)
		if !strings.HasPrefix(b.String(), c.want) {
			t.Errorf("xml=%v escape=%v\nwant %s\n got %s", c.xml, c.escape, c.want, b.String())
		}
	}
}

func TestEncodeJSONStrings(t *testing.T) {
	b := newTestReply(1 << 20)
	enc := encoder{buf: b}
	enc.encode(map[string]any{"b": "q\"\\\n\x01\u2028é\xff", "a": []any{nil, int64(1)}})
	want := `{"a":[null,1],"b":"q\"\\\n\u0001\u2028é\ufffd"}`
	if b.String() != want {
		t.Fatalf("want %s\n got %s", want, b.String())
	}
}
