package rpc

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// Markdown is the Markdown namespace.
type Markdown struct{ s *Server }

var markdownMethods = []Method{
	{Name: "Markdown.render", Access: Login, Returns: "string",
		Doc: "Renders Markdown (CommonMark with tables, fenced code, ~~strike~~ and line breaks kept) to sanitised HTML: no scripts, event handlers, styles or javascript: URLs."},
}

// TextArgs is one text parameter.
type TextArgs struct {
	Text string `json:"text"`
}

// Render answers Markdown.render.
func (m *Markdown) Render(_ *http.Request, args *TextArgs, reply *string) error {
	*reply = renderMarkdown(args.Text)
	return nil
}

var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithRendererOptions(html.WithHardWraps()),
)

// sanitizer keeps the tags and attributes Kiwi's Markdown.render allows,
// except style, and only http, https and mailto URLs.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "b", "i", "strong", "em", "tt", "p", "br", "span", "div",
		"blockquote", "code", "pre", "hr", "ul", "ol", "li", "dd", "dt", "sub", "sup",
		"table", "thead", "tbody", "tfoot", "tr", "th", "td", "del", "s")
	p.AllowAttrs("class").Globally()
	p.AllowAttrs("src", "width", "height", "alt").OnElements("img")
	p.AllowAttrs("href", "alt", "title").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	return p
}()

// rendered caches results by the SHA-256 of the input, as Kiwi does;
// editors re-render the same text on every keystroke pause.
var rendered = struct {
	sync.Mutex
	m map[[sha256.Size]byte]string
}{m: map[[sha256.Size]byte]string{}}

const maxRendered = 1000

func renderMarkdown(text string) string {
	key := sha256.Sum256([]byte(text))
	rendered.Lock()
	out, ok := rendered.m[key]
	rendered.Unlock()
	if ok {
		return out
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(text), &buf); err != nil {
		buf.Reset() // goldmark fails only on writer errors, which a buffer has none of
	}
	out = sanitizer.Sanitize(buf.String())
	rendered.Lock()
	if len(rendered.m) >= maxRendered {
		clear(rendered.m)
	}
	rendered.m[key] = out
	rendered.Unlock()
	return out
}
