package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Result is one <testcase> as the junit.xml plugin reports it.
type Result struct {
	Summary     string     // the summary template applied, at most 255 characters
	Status      string     // PASSED, FAILED, ERROR or WAIVED
	Comment     *string    // nil: no comment (a skip without a message)
	Start, Stop *time.Time // from the timestamp of the case or its suite, and its time
}

// Negative tells whether the status counts against the run, as the
// weights of Kiwi's FAILED and ERROR do.
func (r Result) Negative() bool { return r.Status == "FAILED" || r.Status == "ERROR" }

// maxSummary is the length of a test case summary.
const maxSummary = 255

// ReadJUnit reads the results of JUnit XML files whose root is
// <testsuites> (its <testsuite> children) or one <testsuite>, in file
// order. template is the plugin's --summary-template (Python
// string.Template syntax, with ${classname}, ${name} and ${suitename}).
func ReadJUnit(paths []string, template string) ([]Result, error) {
	var out []Result
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		root, err := parseTree(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		suites := root.all("testsuite")
		if root.name == "testsuite" {
			suites = []*node{root}
		}
		for _, suite := range suites {
			for _, c := range suite.all("testcase") {
				r, err := result(suite, c, template)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// createdBy is the comment of a passed test, and the notes of the cases
// and the text of the plans the reporter creates.
const createdBy = "Created by tcms report junit"

// result reads one test case: its first failure, error or skip decides
// its status and comment; a case with none passed.
func result(suite, c *node, template string) (Result, error) {
	summary, err := substitute(template, map[string]string{"classname": c.attr("classname"), "name": c.attr("name"), "suitename": suite.attr("name")})
	if err != nil {
		return Result{}, err
	}
	if utf8.RuneCountInString(summary) > maxSummary {
		summary = string([]rune(summary)[:maxSummary])
	}
	r := Result{Summary: summary, Status: "PASSED", Comment: new(createdBy)}
	for _, child := range c.children {
		switch child.name {
		case "failure", "error":
			r.Status = map[string]string{"failure": "FAILED", "error": "ERROR"}[child.name]
			text := strings.TrimSpace(child.serialize())
			for _, stream := range []string{"system-out", "system-err"} {
				if out := c.first(stream); out != nil && out.text != "" {
					text += "\n\n**" + stream + "**\n\n```\n" + out.text + "\n```"
				}
			}
			r.Comment = &text
		case "skipped":
			r.Status, r.Comment = "WAIVED", nil
			if msg, ok := child.attrOK("message"); ok {
				r.Comment = &msg
			}
		default:
			continue
		}
		break
	}
	stamp := c.attr("timestamp")
	if stamp == "" {
		stamp = suite.attr("timestamp")
	}
	if stamp != "" {
		start, err := parseStamp(stamp)
		if err != nil {
			return Result{}, fmt.Errorf("testcase %q: timestamp %q: %w", c.attr("name"), stamp, err)
		}
		secs, _ := strconv.ParseFloat(c.attr("time"), 64)
		stop := start.Add(time.Duration(secs * float64(time.Second)))
		r.Start, r.Stop = &start, &stop
	}
	return r, nil
}

// parseStamp reads an ISO 8601 timestamp; the wall clock counts as UTC,
// as the plugin's XML-RPC datetimes carry no zone.
func parseStamp(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			y, mo, d := t.Date()
			return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("want YYYY-MM-DDTHH:MM:SS")
}

// substitute applies a Python string.Template: $name or ${name}, $$ for $.
func substitute(template string, vars map[string]string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		if template[i] != '$' {
			b.WriteByte(template[i])
			continue
		}
		rest := template[i+1:]
		var name string
		switch {
		case strings.HasPrefix(rest, "$"):
			b.WriteByte('$')
			i++
			continue
		case strings.HasPrefix(rest, "{"):
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return "", fmt.Errorf("summary template %q: unclosed ${", template)
			}
			name, i = rest[1:end], i+end+1
		default:
			n := 0
			for n < len(rest) && (rest[n] == '_' || 'a' <= rest[n]|0x20 && rest[n]|0x20 <= 'z' || n > 0 && '0' <= rest[n] && rest[n] <= '9') {
				n++
			}
			name, i = rest[:n], i+n
		}
		v, ok := vars[name]
		if !ok {
			return "", fmt.Errorf("summary template %q: unknown placeholder %q (use classname, name, suitename)", template, name)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// node is an XML element as Python's ElementTree holds it: text up to its
// first child, and each child's tail after it.
type node struct {
	name     string
	attrs    []xml.Attr
	text     string
	tail     string
	children []*node
}

func (n *node) attrOK(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) attr(name string) string { v, _ := n.attrOK(name); return v }

// first is the first child element of that name, or nil.
func (n *node) first(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// all are the child elements of that name.
func (n *node) all(name string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// maxDepth bounds the nesting of a JUnit file.
const maxDepth = 64

// parseTree reads an XML document into nodes. DTDs are refused, so no
// entity can expand.
func parseTree(r io.Reader) (*node, error) {
	d := xml.NewDecoder(r)
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}
			n := &node{name: t.Name.Local, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("more than one root element")
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			if len(top.children) == 0 {
				top.text += string(t)
			} else {
				top.children[len(top.children)-1].tail += string(t)
			}
		case xml.Directive:
			return nil, fmt.Errorf("DOCTYPE and entity declarations are not accepted")
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// serialize writes the element as ElementTree's tostring does (without
// its tail): attributes in document order, text escaped for &, < and >,
// attribute values also for " and line breaks, and "<x />" when empty.
func (n *node) serialize() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	b.WriteString("<" + n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + a.Name.Local + `="` + escapeAttr(a.Value) + `"`)
	}
	if n.text == "" && len(n.children) == 0 {
		b.WriteString(" />")
		return
	}
	b.WriteString(">" + escapeText(n.text))
	for _, c := range n.children {
		c.write(b)
		b.WriteString(escapeText(c.tail))
	}
	b.WriteString("</" + n.name + ">")
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\r", "&#13;", "\n", "&#10;", "\t", "&#09;")
)

func escapeText(s string) string { return textEscaper.Replace(s) }
func escapeAttr(s string) string { return attrEscaper.Replace(s) }
