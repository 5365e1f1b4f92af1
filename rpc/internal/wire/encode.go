package wire

import (
	"bytes"
	"encoding/base64"
	stdjson "encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Encoder writes Go values as XML-RPC <value>s or as JSON. Both
// protocols walk values the same way, so they agree on field names (the
// json tags of wire structs), nil, times and escaping.
type Encoder struct {
	buf    *Reply
	xml    bool
	escape bool // HTML-escape strings as Kiwi TCMS does (TCMS_ESCAPE_HTML)
}

// NewEncoder writes into buf, as XML-RPC or as JSON, HTML-escaping
// strings when escape is set.
func NewEncoder(buf *Reply, xml, escape bool) *Encoder {
	return &Encoder{buf: buf, xml: xml, escape: escape}
}

// maxDepth bounds how deep a reply may nest; replies are built by our own
// handlers, so hitting it means a cycle.
const maxDepth = 64

// Encode writes one value.
func (e *Encoder) Encode(v any) {
	e.value(reflect.ValueOf(v), 0)
}

func (e *Encoder) value(v reflect.Value, depth int) {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			v = reflect.Value{}
			break
		}
		v = v.Elem()
	}
	if !v.IsValid() || depth > maxDepth {
		e.scalar("nil", "null", true)
		return
	}
	if v.Type() == timeType {
		e.time(v.Interface().(time.Time))
		return
	}
	switch v.Kind() {
	case reflect.String:
		e.string(v.String())
	case reflect.Bool:
		switch {
		case !e.xml:
			e.buf.WriteString(strconv.FormatBool(v.Bool()))
		case v.Bool():
			e.scalar("boolean", "1", false)
		default:
			e.scalar("boolean", "0", false)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(v.Int())
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.int(int64(v.Uint()))
	case reflect.Float32, reflect.Float64:
		e.float(v.Float())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			text := base64.StdEncoding.EncodeToString(v.Bytes())
			if e.xml {
				e.scalar("base64", text, false)
			} else {
				writeJSONString(e.buf, text)
			}
			return
		}
		fallthrough
	case reflect.Array:
		e.open("<value><array><data>", "[")
		for i := 0; i < v.Len() && e.buf.fault == nil; i++ {
			if i > 0 && !e.xml {
				e.buf.WriteByte(',')
			}
			e.value(v.Index(i), depth+1)
		}
		e.open("</data></array></value>", "]")
	case reflect.Map:
		// Keys in order, so replies are deterministic; non-string keys
		// become strings, as JSON has them.
		type entry struct {
			key string
			val reflect.Value
		}
		entries := make([]entry, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			entries = append(entries, entry{fmt.Sprint(it.Key().Interface()), it.Value()})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
		e.open("<value><struct>", "{")
		for i, en := range entries {
			e.member(i, en.key)
			e.value(en.val, depth+1)
			e.open("</member>", "")
		}
		e.open("</struct></value>", "}")
	case reflect.Struct:
		e.open("<value><struct>", "{")
		for i, f := range structFields(v.Type()) {
			switch {
			case e.xml:
				e.buf.WriteString(f.xmlKey)
			case i > 0:
				e.buf.WriteByte(',')
				fallthrough
			default:
				e.buf.WriteString(f.jsonKey)
			}
			e.value(v.FieldByIndex(f.index), depth+1)
			e.open("</member>", "")
		}
		e.open("</struct></value>", "}")
	default:
		e.scalar("nil", "null", true)
	}
}

func (e *Encoder) open(xmlText, jsonText string) {
	if e.xml {
		e.buf.WriteString(xmlText)
	} else {
		e.buf.WriteString(jsonText)
	}
}

func (e *Encoder) member(i int, name string) {
	if e.xml {
		e.buf.WriteString("<member><name>")
		xml.EscapeText(e.buf, []byte(name))
		e.buf.WriteString("</name>")
		return
	}
	if i > 0 {
		e.buf.WriteByte(',')
	}
	writeJSONString(e.buf, name)
	e.buf.WriteByte(':')
}

// scalar writes <value><tag>text</tag></value>, or the text as JSON. text
// must not need escaping.
func (e *Encoder) scalar(tag, text string, empty bool) {
	if !e.xml {
		e.buf.WriteString(text)
		return
	}
	e.buf.WriteString("<value><")
	e.buf.WriteString(tag)
	if empty {
		e.buf.WriteString("/></value>")
		return
	}
	e.buf.WriteByte('>')
	e.buf.WriteString(text)
	e.buf.WriteString("</")
	e.buf.WriteString(tag)
	e.buf.WriteString("></value>")
}

func (e *Encoder) int(n int64) {
	if !e.xml {
		e.buf.WriteString(strconv.FormatInt(n, 10))
		return
	}
	tag := "int"
	if n > math.MaxInt32 || n < math.MinInt32 {
		tag = "i8"
	}
	e.scalar(tag, strconv.FormatInt(n, 10), false)
}

// float writes the shortest exact form and keeps a ".0" on whole numbers,
// so that Python clients read a float, as from Kiwi.
func (e *Encoder) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.scalar("nil", "null", true)
		return
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	e.scalar("double", s, false)
}

// time writes UTC wall time without zone: XML-RPC 20060102T15:04:05,
// JSON 2006-01-02T15:04:05 with milliseconds when there are any.
func (e *Encoder) time(t time.Time) {
	t = t.UTC()
	if e.xml {
		e.scalar("dateTime.iso8601", t.Format("20060102T15:04:05"), false)
		return
	}
	layout := `"2006-01-02T15:04:05"`
	if t.Nanosecond() >= int(time.Millisecond) {
		layout = `"2006-01-02T15:04:05.000"`
	}
	var text [32]byte
	e.buf.Write(t.AppendFormat(text[:0], layout))
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

func (e *Encoder) string(s string) {
	if e.escape {
		s = htmlEscaper.Replace(s)
	}
	if !e.xml {
		writeJSONString(e.buf, s)
		return
	}
	e.buf.WriteString("<value><string>")
	xml.EscapeText(e.buf, []byte(s))
	e.buf.WriteString("</string></value>")
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func writeJSONString(b *Reply, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteString(`\u202` + string(hexDigits[r&0xf]))
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

type encField struct {
	index   []int
	jsonKey string // "name":
	xmlKey  string // <member><name>name</name>
}

var fieldCache sync.Map // reflect.Type -> []encField

// structFields lists a wire struct's fields by their json names, in
// declaration order; `json:"-"` hides a field.
func structFields(t reflect.Type) []encField {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]encField)
	}
	var out []encField
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		var key bytes.Buffer
		xml.EscapeText(&key, []byte(name))
		json, _ := stdjson.Marshal(name)
		out = append(out, encField{index: f.Index,
			jsonKey: string(json) + ":", xmlKey: "<member><name>" + key.String() + "</name>"})
	}
	fieldCache.Store(t, out)
	return out
}
