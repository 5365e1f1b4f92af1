package rpc

import (
	"strings"
	"testing"
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
