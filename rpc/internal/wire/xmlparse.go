package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxXMLDepth bounds how deeply arrays and structs may nest in a request.
const maxXMLDepth = 64

// ParseXMLCall decodes an XML-RPC methodCall document into the method name and its
// positional parameters as wire values: nil, bool, int64, float64, string,
// time.Time (UTC), []byte, []any and map[string]any. Every error is a *Fault:
// -32700 when the document cannot be read, -32600 when it names no method.
// DTDs are refused outright, so no entity is ever expanded.
func ParseXMLCall(body []byte) (method string, params []any, err error) {
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	d.Strict, d.CharsetReader = true, xmlCharsetReader
	p := xmlParser{d: d, open: make([]xml.Name, 0, 8)}
	if method, params, err = p.call(); err == io.EOF {
		err = ParseError("unexpected end of document")
	}
	if err == nil && method == "" {
		err = InvalidRequest("Unable to find method name")
	}
	if err != nil {
		return "", nil, err
	}
	return method, params, nil
}

// xmlParser reads the raw token stream by recursive descent. It matches end
// tags itself (RawToken does not) and ignores namespaces, as Python does:
// <ex:nil/> is <nil/>.
type xmlParser struct {
	d    *xml.Decoder
	open []xml.Name // the elements entered and not yet closed
	buf  []byte     // text of the scalar being read; never held across elements
}

// call reads the whole document: a methodCall root, then nothing but
// whitespace, comments and processing instructions.
func (p *xmlParser) call() (method string, params []any, err error) {
	name, ok, err := p.child()
	if err != nil || !ok {
		if err == nil {
			err = ParseError("no element found")
		}
		return "", nil, err
	}
	if name != "methodCall" {
		return "", nil, ParseError("expected <methodCall>, found <%s>", xmlName(p.open[0]))
	}
	haveName := false
	for {
		name, ok, err := p.child()
		switch {
		case err != nil:
			return "", nil, err
		case !ok:
			if params == nil {
				params = []any{}
			}
			return method, params, p.end()
		case name == "methodName" && !haveName:
			b, err := p.text()
			if err != nil {
				return "", nil, err
			}
			method, haveName = string(bytes.TrimSpace(b)), true
		case name == "params" && params == nil:
			if params, err = p.list("param", 0); err != nil {
				return "", nil, err
			}
		default:
			return "", nil, p.unexpected()
		}
	}
}

// next returns the next start tag, end tag or text. Comments and
// processing instructions are skipped, directives (DOCTYPE, ENTITY) refused.
// At the end of input it returns io.EOF.
func (p *xmlParser) next() (xml.Token, error) {
	for {
		off := p.d.InputOffset()
		tok, err := p.d.RawToken()
		if err != nil {
			return nil, xmlFault(err)
		}
		switch t := tok.(type) { // return tok, not t: no boxing again
		case xml.StartElement:
			p.open = append(p.open, t.Name)
			return tok, nil
		case xml.EndElement:
			n := len(p.open)
			if n == 0 {
				return nil, ParseError("unexpected end tag </%s>", xmlName(t.Name))
			} else if p.open[n-1] != t.Name {
				return nil, ParseError("element <%s> closed by </%s>", xmlName(p.open[n-1]), xmlName(t.Name))
			}
			p.open = p.open[:n-1]
			return tok, nil
		case xml.CharData:
			return tok, nil
		case xml.Directive:
			return nil, &Fault{CodeParse, "Parse error, unable to read the request: DOCTYPE is not allowed"}
		case xml.Comment:
			if !utf8.Valid(t) {
				return nil, ParseError("invalid UTF-8 in a comment")
			}
		case xml.ProcInst:
			if off != 0 && strings.EqualFold(t.Target, "xml") {
				return nil, ParseError("XML declaration not at start of document")
			} else if !utf8.Valid(t.Inst) {
				return nil, ParseError("invalid UTF-8 in a processing instruction")
			}
		}
	}
}

// child enters the next child element of the innermost open element and
// returns its local name, or ok == false once that element is closed (for
// the document level: at end of input). Text around children must be
// whitespace.
func (p *xmlParser) child() (name string, ok bool, err error) {
	for {
		t, err := p.next()
		if err != nil {
			if err == io.EOF && len(p.open) == 0 {
				err = nil
			}
			return "", false, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t.Name.Local, true, nil
		case xml.EndElement:
			return "", false, nil
		case xml.CharData:
			if len(bytes.TrimLeft(t, " \t\r\n")) == 0 {
				continue
			} else if len(p.open) == 0 {
				return "", false, ParseError("text outside the document element")
			}
			return "", false, ParseError("unexpected text in <%s>", xmlName(p.open[len(p.open)-1]))
		}
	}
}

// end reads the innermost open element up to its end, allowing no more
// children; at the document level, up to the end of input.
func (p *xmlParser) end() error {
	if _, ok, err := p.child(); err != nil || !ok {
		return err
	}
	return p.unexpected()
}

// unexpected reports the element just entered as out of place.
func (p *xmlParser) unexpected() error {
	n := len(p.open)
	if n == 1 {
		return ParseError("junk after document element: <%s>", xmlName(p.open[0]))
	}
	return ParseError("unexpected element <%s> in <%s>", xmlName(p.open[n-1]), xmlName(p.open[n-2]))
}

// text reads the rest of an element holding only text. The result is
// valid until the next read.
func (p *xmlParser) text() ([]byte, error) {
	b, start, err := p.chars()
	if err == nil && start != nil {
		return nil, p.unexpected()
	}
	return b, err
}

// chars reads text up to the element's end or up to its first child
// element, which it returns. The text is valid until the next read.
func (p *xmlParser) chars() ([]byte, *xml.StartElement, error) {
	p.buf = p.buf[:0]
	for {
		t, err := p.next()
		if err != nil {
			return nil, nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			p.buf = append(p.buf, t...)
		case xml.EndElement:
			return p.buf, nil, nil
		case xml.StartElement:
			return p.buf, &t, nil
		}
	}
}

// list reads the <param>s of <params> (elem "param") or the <value>s of
// <data> (elem "value"). depth counts the arrays and structs around them.
func (p *xmlParser) list(elem string, depth int) ([]any, error) {
	a := make([]any, 0, 2)
	for {
		name, ok, err := p.child()
		if err != nil || !ok {
			return a, err
		}
		if name != elem {
			return nil, p.unexpected()
		}
		var v any
		if elem == "value" {
			v, err = p.value(depth)
		} else if name, ok, err = p.child(); err == nil && !ok {
			err = ParseError("<param> without a <value>")
		} else if err == nil && name != "value" {
			err = p.unexpected()
		} else if err == nil {
			if v, err = p.value(depth); err == nil {
				err = p.end() // of the <param>
			}
		}
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
}

// value reads the rest of a <value>: text alone is a string, else it
// holds one element naming the type.
func (p *xmlParser) value(depth int) (any, error) {
	b, start, err := p.chars()
	if err != nil {
		return nil, err
	}
	if start == nil {
		return string(b), nil
	}
	if len(bytes.TrimLeft(b, " \t\r\n")) != 0 {
		return nil, ParseError("unexpected text in <%s>", xmlName(p.open[len(p.open)-2]))
	}
	v, err := p.typed(start.Name.Local, depth)
	if err == nil {
		err = p.end() // of the <value>
	}
	return v, err
}

// typed reads the rest of the element naming a value's type.
func (p *xmlParser) typed(typ string, depth int) (any, error) {
	switch typ {
	case "array", "struct":
		if depth >= maxXMLDepth {
			return nil, ParseError("values nested too deeply")
		}
		if typ == "array" {
			return p.array(depth + 1)
		}
		return p.structValue(depth + 1)
	case "string", "int", "i4", "i8", "i1", "i2", "biginteger", "boolean", "double", "float",
		"dateTime.iso8601", "base64", "nil":
	default:
		return nil, p.unexpected()
	}
	b, err := p.text()
	if err != nil {
		return nil, err
	}
	s := bytes.TrimSpace(b)
	switch typ {
	case "string":
		return string(b), nil
	case "nil":
		if len(s) == 0 {
			return nil, nil
		}
	case "boolean":
		if string(s) == "1" || bytes.EqualFold(s, []byte("true")) {
			return true, nil
		} else if string(s) == "0" || bytes.EqualFold(s, []byte("false")) {
			return false, nil
		}
	case "double", "float":
		if len(bytes.Trim(s, "0123456789+-.eE")) == 0 { // no hex, inf, nan or _
			if f, err := strconv.ParseFloat(string(s), 64); err == nil {
				return f, nil
			}
		}
	case "dateTime.iso8601":
		if t, ok := xmlParseTime(s); ok {
			return t, nil
		}
	case "base64":
		n := 0 // squeeze out whitespace in place
		for _, c := range b {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				b[n], n = c, n+1
			}
		}
		out := make([]byte, base64.StdEncoding.DecodedLen(n))
		if m, err := base64.StdEncoding.Decode(out, b[:n]); err == nil {
			return out[:m], nil
		}
		return nil, ParseError("invalid <base64> value")
	default: // the integer types
		if i, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			return i, nil
		}
	}
	return nil, ParseError("invalid <%s> value %q", typ, xmlShort(string(b)))
}

// array reads the rest of an <array>: one <data>, which may be left out.
func (p *xmlParser) array(depth int) (any, error) {
	name, ok, err := p.child()
	if err != nil || !ok {
		return []any{}, err
	} else if name != "data" {
		return nil, p.unexpected()
	}
	a, err := p.list("value", depth)
	if err == nil {
		err = p.end() // of the <array>
	}
	return a, err
}

// structValue reads the rest of a <struct>: <member>s, each a <name> and a
// <value> in either order. A repeated name replaces the earlier member.
func (p *xmlParser) structValue(depth int) (any, error) {
	m := make(map[string]any)
	for {
		name, ok, err := p.child()
		if err != nil || !ok {
			return m, err
		} else if name != "member" {
			return nil, p.unexpected()
		}
		var key string
		var v any
		haveKey, haveValue := false, false
		for err == nil {
			if name, ok, err = p.child(); err != nil || !ok {
				break
			} else if name == "name" && !haveKey {
				var b []byte
				b, err = p.text()
				key, haveKey = string(b), true
			} else if name == "value" && !haveValue {
				v, err = p.value(depth)
				haveValue = true
			} else {
				err = p.unexpected()
			}
		}
		if err == nil && (!haveKey || !haveValue) {
			err = ParseError("<member> needs a <name> and a <value>")
		}
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
}

// xmlParseTime reads an ISO 8601 date-time, basic or extended (Python sends
// 20260106T20:30:00), with an optional fraction and zone. The result is in
// UTC; a time without a zone is taken as UTC.
func xmlParseTime(s []byte) (time.Time, bool) {
	i, ok := 0, true
	opt := func(c byte) byte { // c if it comes next
		if i < len(s) && s[i] == c {
			return c
		}
		return 0
	}
	num := func(sep byte, n int) (v int) { // sep unless 0, then n digits
		if sep != 0 {
			ok, i = ok && opt(sep) != 0, i+1
		}
		for ; n > 0; n, i = n-1, i+1 {
			ok = ok && i < len(s) && s[i] >= '0' && s[i] <= '9'
			if ok {
				v = v*10 + int(s[i]-'0')
			}
		}
		return v
	}
	year := num(0, 4)
	dash := opt('-')
	month, day := num(dash, 2), num(dash, 2)
	hour := num('T', 2)
	colon := opt(':')
	minute, sec := num(colon, 2), num(colon, 2)
	nsec := 0
	if ok && (opt('.') != 0 || opt(',') != 0) && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
		scale := int(1e8) // digits past nanoseconds are dropped
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i, scale = i+1, scale/10 {
			nsec += int(s[i]-'0') * scale
		}
	}
	offset := 0 // to add to reach UTC
	if sign := opt('+') | opt('-'); sign != 0 {
		i++
		h, m := num(0, 2), 0
		m = num(opt(':'), 2)
		if offset = (h*60 + m) * 60; sign == '+' {
			offset = -offset
		}
		ok = ok && h < 24 && m < 60
	} else if opt('Z') != 0 {
		i++
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if !ok || i != len(s) || month < 1 || month > 12 || t.Day() != day || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return t.Add(time.Duration(offset) * time.Second), true
}

// xmlCharsetReader accepts the encodings XML-RPC clients use besides UTF-8.
func xmlCharsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf8", "us-ascii", "ascii":
		return r, nil // the decoder rejects invalid UTF-8 by itself
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		in, err := io.ReadAll(r)
		out := make([]byte, 0, len(in)+len(in)/8)
		for _, c := range in {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), err
	}
	return nil, ParseError("unsupported charset %q", xmlShort(label))
}

// xmlFault turns a decoder error into a parse fault; io.EOF is kept.
func xmlFault(err error) error {
	var f *Fault
	var se *xml.SyntaxError
	switch {
	case err == io.EOF:
		return err
	case errors.As(err, &f):
		return f
	case errors.As(err, &se):
		return ParseError("%s (line %d)", se.Msg, se.Line)
	}
	return ParseError("%s", strings.TrimPrefix(err.Error(), "xml: "))
}

// xmlName spells an element name as written, shortened for messages.
func xmlName(n xml.Name) string {
	if n.Space != "" {
		return xmlShort(n.Space + ":" + n.Local)
	}
	return xmlShort(n.Local)
}

// xmlShort cuts s to 40 bytes for a message, on a rune boundary.
func xmlShort(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}
