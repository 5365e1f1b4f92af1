package rpc

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestMarkdownRender(t *testing.T) {
	ts := mustServer(t)
	tester := ts.as(userName, userPass)
	render := func(text string) string {
		t.Helper()
		var html string
		result(t, tester("Markdown.render", text), &html)
		return html
	}
	for _, c := range []struct{ in, want string }{
		{"**bold** and ~~gone~~", "<p><strong>bold</strong> and <del>gone</del></p>\n"},
		{"line one\nline two", "<p>line one<br>\nline two</p>\n"},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>"},
		{"```\ncode\n```", "<pre><code>code\n</code></pre>"},
		{"[site](https://example.com)", `<a href="https://example.com">site</a>`},
	} {
		if got := render(c.in); !strings.Contains(got, c.want) {
			t.Fatalf("%q: got %q, want it to contain %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{
		"<script>alert(1)</script>", `<img src="x" onerror="alert(1)">`, "[x](javascript:alert(1))",
		`<p style="background:url(javascript:alert(1))">x</p>`, "<iframe src=https://evil></iframe>",
	} {
		got := render(bad)
		for _, word := range []string{"script", "onerror", "javascript", "style", "iframe"} {
			if strings.Contains(strings.ToLower(got), word) {
				t.Fatalf("%q rendered as %q", bad, got)
			}
		}
	}
	f, raw := ts.xmlFault(`<methodCall><methodName>Markdown.render</methodName><params><param><value>*x*</value></param></params></methodCall>`,
		"Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(userName+":"+userPass)))
	if f != nil || !strings.Contains(string(raw), "&lt;p&gt;&lt;em&gt;x&lt;/em&gt;&lt;/p&gt;") {
		t.Fatalf("XML-RPC: %v %s", f, raw)
	}
	f, raw = ts.xmlFault(call0("Markdown.render"))
	if f == nil || f.Code != CodeAuth {
		t.Fatalf("anonymous: %v %s", f, raw)
	}
	wantFault(t, tester("Markdown.render"), CodeInvalidParams, "Invalid parameters: expected 1 parameter, got 0")
	wantFault(t, tester("Markdown.render", 5), CodeInvalidParams, "Invalid parameters: text: expected a string, got 5")
}
