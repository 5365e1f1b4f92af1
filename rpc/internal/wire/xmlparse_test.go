package wire

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// xmlCall wraps XML-RPC value documents into a methodCall of method "m".
func xmlCall(values ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>m</methodName><params>`)
	for _, v := range values {
		b.WriteString("<param><value>" + v + "</value></param>")
	}
	b.WriteString("</params></methodCall>")
	return b.String()
}

// xmlEqual compares wire values; times must be equal instants in UTC.
func xmlEqual(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && x.Location() == time.UTC && y.Location() == time.UTC
	case []byte:
		y, ok := b.([]byte)
		return ok && x != nil && y != nil && string(x) == string(y)
	case []any:
		y, ok := b.([]any)
		if !ok || x == nil || y == nil || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !xmlEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || x == nil || y == nil || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !xmlEqual(v, w) {
				return false
			}
		}
		return true
	}
	return a == b
}

func nest(open, close string, n int, inner string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

func TestParseXMLCallValues(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	}
	deep := nest("<array><data><value>", "</value></data></array>", 64, "<int>1</int>")
	var deepWant any = int64(1)
	for range 64 {
		deepWant = []any{deepWant}
	}
	cases := []struct {
		name, value string
		want        any
	}{
		{"Int", "<int>42</int>", int64(42)},
		{"I4Spaces", "<i4> -7 </i4>", int64(-7)},
		{"IntNewlines", "<int>\n+3\n</int>", int64(3)},
		{"I8Max", "<i8>9223372036854775807</i8>", int64(9223372036854775807)},
		{"I8Min", "<i8>-9223372036854775808</i8>", int64(-9223372036854775808)},
		{"ExI8", `<ex:i8 xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">5</ex:i8>`, int64(5)},
		{"BoolOne", "<boolean>1</boolean>", true},
		{"BoolZero", "<boolean> 0 </boolean>", false},
		{"BoolTrue", "<boolean>true</boolean>", true},
		{"BoolFalse", "<boolean>false</boolean>", false},
		{"String", "<string>a b</string>", "a b"},
		{"StringKeepsSpace", "<string>  a\n</string>", "  a\n"},
		{"StringEmptyTag", "<string/>", ""},
		{"StringEmpty", "<string></string>", ""},
		{"StringEntities", "<string>&lt;&amp;&gt;&quot;&apos;&#233;&#x41;</string>", `<&>"'éA`},
		{"StringCDATA", "<string><![CDATA[<x>&amp;]]></string>", "<x>&amp;"},
		{"StringComment", "<string>a<!-- c -->b</string>", "ab"},
		{"StringCRLF", "<string>a\r\nb</string>", "a\nb"},
		{"Untyped", "x y", "x y"},
		{"UntypedSpaces", "  a  ", "  a  "},
		{"UntypedEmpty", "", ""},
		{"Double", "<double>1.5</double>", 1.5},
		{"DoubleExp", "<double> -2e3 </double>", -2000.0},
		{"Float", "<float>.25</float>", 0.25},
		{"DateTimePython", "<dateTime.iso8601>20260106T20:30:00</dateTime.iso8601>", utc(2026, 1, 6, 20, 30, 0, 0)},
		{"DateTimeDashed", "<dateTime.iso8601>2026-01-06T20:30:00</dateTime.iso8601>", utc(2026, 1, 6, 20, 30, 0, 0)},
		{"DateTimeCompact", "<dateTime.iso8601>20260106T203000</dateTime.iso8601>", utc(2026, 1, 6, 20, 30, 0, 0)},
		{"DateTimeFraction", "<dateTime.iso8601> 2026-01-06T20:30:00.123456Z </dateTime.iso8601>", utc(2026, 1, 6, 20, 30, 0, 123456000)},
		{"DateTimeLongFraction", "<dateTime.iso8601>20260106T20:30:00.1234567891</dateTime.iso8601>", utc(2026, 1, 6, 20, 30, 0, 123456789)},
		{"DateTimePlus", "<dateTime.iso8601>2026-01-06T20:30:00+02:00</dateTime.iso8601>", utc(2026, 1, 6, 18, 30, 0, 0)},
		{"DateTimeMinus", "<dateTime.iso8601>20260106T23:30:00-0130</dateTime.iso8601>", utc(2026, 1, 7, 1, 0, 0, 0)},
		{"DateTimeLeapDay", "<dateTime.iso8601>20240229T00:00:00</dateTime.iso8601>", utc(2024, 2, 29, 0, 0, 0, 0)},
		{"Base64", "<base64>aGVsbG8=</base64>", []byte("hello")},
		{"Base64Lines", "<base64>\n  aGVs\r\n\tbG8=\n</base64>", []byte("hello")},
		{"Base64Empty", "<base64/>", []byte{}},
		{"Nil", "<nil/>", nil},
		{"ExNil", `<ex:nil xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"/>`, nil},
		{"Struct", "<struct><member><name>a</name><value><int>1</int></value></member>\n<member><value>v</value><name> b </name></member></struct>",
			map[string]any{"a": int64(1), " b ": "v"}},
		{"StructDuplicate", "<struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct>",
			map[string]any{"a": "2"}},
		{"StructEmpty", "<struct></struct>", map[string]any{}},
		{"StructEmptyName", "<struct><member><name/><value><nil/></value></member></struct>", map[string]any{"": nil}},
		{"Array", "<array><data><value><int>1</int></value><value>s</value><value><nil/></value></data></array>", []any{int64(1), "s", nil}},
		{"ArrayEmpty", "<array><data/></array>", []any{}},
		{"ArrayNoData", "<array/>", []any{}},
		{"ArrayOfStructs", "<array><data><value><struct><member><name>k</name><value><array><data></data></array></value></member></struct></value></data></array>",
			[]any{map[string]any{"k": []any{}}}},
		{"SpaceAroundType", "\n  <int>1</int>\n ", int64(1)},
		{"Deep64", deep, deepWant},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, params, err := ParseXMLCall([]byte(xmlCall(c.value)))
			if err != nil {
				t.Fatal(err)
			}
			if m != "m" || len(params) != 1 || !xmlEqual(params[0], c.want) {
				t.Fatalf("got %q %#v, want %#v", m, params, c.want)
			}
		})
	}
}

func TestParseXMLCallDocument(t *testing.T) {
	cases := []struct {
		name, doc, method string
		params            []any
	}{
		{"NoParams", "<methodCall><methodName>system.listMethods</methodName></methodCall>", "system.listMethods", []any{}},
		{"EmptyParams", "<methodCall><methodName>a</methodName><params/></methodCall>", "a", []any{}},
		{"NameTrimmed", "<methodCall>\n <methodName>\n\tTest.echo \n</methodName>\n</methodCall>\n", "Test.echo", []any{}},
		{"ParamsFirst", "<methodCall><params><param><value>1</value></param></params><methodName>a</methodName></methodCall>", "a", []any{"1"}},
		{"Several", xmlCall("<int>1</int>", "x", "<nil/>"), "m", []any{int64(1), "x", nil}},
		{"Misc", "\ufeff<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><?pi x?><methodCall><!-- c --><methodName>a</methodName></methodCall><!-- end -->\n<?pi?>\n", "a", []any{}},
		{"Latin1", "<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>a</methodName><params><param><value>caf\xe9 \xff</value></param></params></methodCall>", "a", []any{"café ÿ"}},
		{"ASCII", "<?xml version='1.0' encoding='us-ascii'?><methodCall><methodName>a</methodName></methodCall>", "a", []any{}},
		{"Attributes", `<methodCall xmlns="urn:x" a="b"><methodName>a</methodName></methodCall>`, "a", []any{}},
		// xmlrpc.client.dumps((None, datetime.datetime(2026,1,6,20,30,0), 1, 2**31-1, 1.5, True,
		// "<&>é", [1,[2]], {"a": None}), "Test.echo", allow_none=True), Python 3.
		{"Python", "<?xml version='1.0'?>\n<methodCall>\n<methodName>Test.echo</methodName>\n<params>\n<param>\n<value><nil/></value></param>\n<param>\n<value><dateTime.iso8601>20260106T20:30:00</dateTime.iso8601></value>\n</param>\n<param>\n<value><int>1</int></value>\n</param>\n<param>\n<value><int>2147483647</int></value>\n</param>\n<param>\n<value><double>1.5</double></value>\n</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n<param>\n<value><string>&lt;&amp;&gt;é</string></value>\n</param>\n<param>\n<value><array><data>\n<value><int>1</int></value>\n<value><array><data>\n<value><int>2</int></value>\n</data></array></value>\n</data></array></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>a</name>\n<value><nil/></value></member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n",
			"Test.echo", []any{nil, time.Date(2026, 1, 6, 20, 30, 0, 0, time.UTC), int64(1), int64(2147483647), 1.5, true, "<&>é",
				[]any{int64(1), []any{int64(2)}}, map[string]any{"a": nil}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, params, err := ParseXMLCall([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if m != c.method || !xmlEqual(params, c.params) {
				t.Fatalf("got %q %#v, want %q %#v", m, params, c.method, c.params)
			}
		})
	}
}

func TestParseXMLCallErrors(t *testing.T) {
	const pe = "Parse error, unable to read the request: "
	doctype := pe + "DOCTYPE is not allowed"
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`
	for i := 1; i < 10; i++ {
		laughs += fmt.Sprintf(`<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	laughs += `]><methodCall><methodName>&lol9;</methodName></methodCall>`
	v := func(value string) string { return xmlCall(value) }
	cases := []struct {
		name, doc string
		code      int
		msg       string // exact unless it ends in "*"
	}{
		{"Empty", "", CodeParse, pe + "no element found"},
		{"OnlySpace", " \n", CodeParse, pe + "no element found"},
		{"Truncated", "<methodCall><methodName>x</methodName", CodeParse, pe + "*"},
		{"TruncatedInParams", "<methodCall><methodName>x</methodName><params>", CodeParse, pe + "unexpected end of document"},
		{"Mismatched", "<methodCall><methodName>x</methodCall>", CodeParse, pe + "element <methodName> closed by </methodCall>"},
		{"StrayEnd", "</methodCall>", CodeParse, pe + "unexpected end tag </methodCall>"},
		{"NotXML", "hello", CodeParse, pe + "text outside the document element"},
		{"WrongRoot", "<methodResponse><params/></methodResponse>", CodeParse, pe + "expected <methodCall>, found <methodResponse>"},
		{"NoMethodName", "<methodCall><params/></methodCall>", CodeInvalidRequest, "Invalid request: Unable to find method name"},
		{"EmptyMethodName", "<methodCall><methodName> \n</methodName></methodCall>", CodeInvalidRequest, "Invalid request: Unable to find method name"},
		{"SelfClosedMethodName", "<methodCall><methodName/></methodCall>", CodeInvalidRequest, "Invalid request: Unable to find method name"},
		{"DuplicateMethodName", "<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>", CodeParse, pe + "unexpected element <methodName> in <methodCall>"},
		{"DuplicateParams", "<methodCall><methodName>a</methodName><params/><params/></methodCall>", CodeParse, pe + "unexpected element <params> in <methodCall>"},
		{"MethodNameChild", "<methodCall><methodName>a<b/></methodName></methodCall>", CodeParse, pe + "unexpected element <b> in <methodName>"},
		{"Doctype", `<?xml version="1.0"?><!DOCTYPE methodCall><methodCall><methodName>a</methodName></methodCall>`, CodeParse, doctype},
		{"Entity", `<!ENTITY x "y"><methodCall><methodName>a</methodName></methodCall>`, CodeParse, doctype},
		{"DoctypeInside", `<methodCall><!DOCTYPE x><methodName>a</methodName></methodCall>`, CodeParse, doctype},
		{"BillionLaughs", laughs, CodeParse, doctype},
		{"UnknownEntity", v("<string>&lol;</string>"), CodeParse, pe + "invalid character entity &lol; (line 1)"},
		{"BadUTF8", v("<string>a\xffb</string>"), CodeParse, pe + "invalid UTF-8 (line 1)"},
		{"BadUTF8Name", "<methodCall><methodName>a\xff</methodName></methodCall>", CodeParse, pe + "invalid UTF-8 (line 1)"},
		{"BadUTF8Comment", "<!-- \xff --><methodCall><methodName>a</methodName></methodCall>", CodeParse, pe + "invalid UTF-8 in a comment"},
		{"ControlChar", v("<string>\x01</string>"), CodeParse, pe + "illegal character code U+0001 (line 1)"},
		{"Charset", `<?xml version="1.0" encoding="EBCDIC"?><methodCall/>`, CodeParse, pe + `unsupported charset "EBCDIC"`},
		{"Version", `<?xml version="1.1"?><methodCall/>`, CodeParse, pe + "*"},
		{"LateDecl", ` <?xml version="1.0"?><methodCall><methodName>a</methodName></methodCall>`, CodeParse, pe + "XML declaration not at start of document"},
		{"TrailingText", "<methodCall><methodName>a</methodName></methodCall>x", CodeParse, pe + "text outside the document element"},
		{"TrailingElement", "<methodCall><methodName>a</methodName></methodCall><methodCall/>", CodeParse, pe + "junk after document element: <methodCall>"},
		{"TrailingBroken", "<methodCall><methodName>a</methodName></methodCall><", CodeParse, pe + "*"},
		{"UnknownType", v("<foo>1</foo>"), CodeParse, pe + "unexpected element <foo> in <value>"},
		{"UnknownInParams", "<methodCall><methodName>a</methodName><params><value/></params></methodCall>", CodeParse, pe + "unexpected element <value> in <params>"},
		{"TextInParams", "<methodCall><methodName>a</methodName><params>x</params></methodCall>", CodeParse, pe + "unexpected text in <params>"},
		{"EmptyParam", "<methodCall><methodName>a</methodName><params><param></param></params></methodCall>", CodeParse, pe + "<param> without a <value>"},
		{"TwoValuesInParam", "<methodCall><methodName>a</methodName><params><param><value/><value/></param></params></methodCall>", CodeParse, pe + "unexpected element <value> in <param>"},
		{"TwoTypes", v("<int>1</int><int>2</int>"), CodeParse, pe + "unexpected element <int> in <value>"},
		{"TextAndType", v("a<int>1</int>"), CodeParse, pe + "unexpected text in <value>"},
		{"TypeAndText", v("<int>1</int>a"), CodeParse, pe + "unexpected text in <value>"},
		{"ChildInInt", v("<int><i4>1</i4></int>"), CodeParse, pe + "unexpected element <i4> in <int>"},
		{"IntWord", v("<int>abc</int>"), CodeParse, pe + `invalid <int> value "abc"`},
		{"IntEmpty", v("<int/>"), CodeParse, pe + `invalid <int> value ""`},
		{"IntFloat", v("<i4>1.5</i4>"), CodeParse, pe + `invalid <i4> value "1.5"`},
		{"IntOverflow", v("<i8>9223372036854775808</i8>"), CodeParse, pe + `invalid <i8> value "9223372036854775808"`},
		{"IntUnderscore", v("<int>1_000</int>"), CodeParse, pe + `invalid <int> value "1_000"`},
		{"IntLong", v("<int>" + strings.Repeat("9", 100) + "</int>"), CodeParse, pe + `invalid <int> value "` + strings.Repeat("9", 40) + `..."`},
		{"Bool", v("<boolean>2</boolean>"), CodeParse, pe + `invalid <boolean> value "2"`},
		{"DoubleNaN", v("<double>NaN</double>"), CodeParse, pe + `invalid <double> value "NaN"`},
		{"DoubleInf", v("<double>-Inf</double>"), CodeParse, pe + `invalid <double> value "-Inf"`},
		{"DoubleHex", v("<double>0x1p3</double>"), CodeParse, pe + `invalid <double> value "0x1p3"`},
		{"DoubleRange", v("<double>1e400</double>"), CodeParse, pe + `invalid <double> value "1e400"`},
		{"DoubleEmpty", v("<double></double>"), CodeParse, pe + `invalid <double> value ""`},
		{"DateMonth", v("<dateTime.iso8601>20261301T00:00:00</dateTime.iso8601>"), CodeParse, pe + `invalid <dateTime.iso8601> value "20261301T00:00:00"`},
		{"DateDay", v("<dateTime.iso8601>20250229T00:00:00</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateHour", v("<dateTime.iso8601>20260101T24:00:00</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateNoSeconds", v("<dateTime.iso8601>20260101T20:30</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateMixed", v("<dateTime.iso8601>2026-0101T20:30:00</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateNoT", v("<dateTime.iso8601>2026-01-01 20:30:00</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateZone", v("<dateTime.iso8601>20260101T20:30:00+25:00</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateTrailing", v("<dateTime.iso8601>20260101T20:30:00Zx</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"DateDot", v("<dateTime.iso8601>20260101T20:30:00.</dateTime.iso8601>"), CodeParse, pe + "invalid <dateTime.iso8601> value*"},
		{"Base64", v("<base64>a!==</base64>"), CodeParse, pe + "invalid <base64> value"},
		{"Base64Padding", v("<base64>aGVsbG8</base64>"), CodeParse, pe + "invalid <base64> value"},
		{"NilText", v("<nil>x</nil>"), CodeParse, pe + `invalid <nil> value "x"`},
		{"MemberNoName", v("<struct><member><value/></member></struct>"), CodeParse, pe + "<member> needs a <name> and a <value>"},
		{"MemberNoValue", v("<struct><member><name>a</name></member></struct>"), CodeParse, pe + "<member> needs a <name> and a <value>"},
		{"MemberTwoNames", v("<struct><member><name>a</name><name>b</name><value/></member></struct>"), CodeParse, pe + "unexpected element <name> in <member>"},
		{"StructValue", v("<struct><value/></struct>"), CodeParse, pe + "unexpected element <value> in <struct>"},
		{"ArrayValue", v("<array><value/></array>"), CodeParse, pe + "unexpected element <value> in <array>"},
		{"ArrayTwoData", v("<array><data/><data/></array>"), CodeParse, pe + "unexpected element <data> in <array>"},
		{"DataText", v("<array><data>x</data></array>"), CodeParse, pe + "unexpected text in <data>"},
		{"Deep65", v(nest("<array><data><value>", "</value></data></array>", 65, "")), CodeParse, pe + "values nested too deeply"},
		{"Deep65Structs", v(nest("<struct><member><name>a</name><value>", "</value></member></struct>", 65, "")), CodeParse, pe + "values nested too deeply"},
		{"LongName", v("<" + strings.Repeat("x", 100) + "/>"), CodeParse, pe + "unexpected element <" + strings.Repeat("x", 40) + "...> in <value>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, params, err := ParseXMLCall([]byte(c.doc))
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("want a fault, got %q %#v %v", m, params, err)
			}
			ok := f.Message == c.msg
			if p, found := strings.CutSuffix(c.msg, "*"); found {
				ok = strings.HasPrefix(f.Message, p)
			}
			if f.Code != c.code || !ok || m != "" || params != nil {
				t.Fatalf("want %d %q, got %d %q", c.code, c.msg, f.Code, f.Message)
			}
		})
	}
}

// TestParseXMLCallDeep feeds 10,000-deep nestings: each must be refused
// at once, without deep recursion.
func TestParseXMLCallDeep(t *testing.T) {
	for name, doc := range map[string]string{
		"Arrays":  xmlCall(nest("<array><data><value>", "</value></data></array>", 10000, "")),
		"Structs": xmlCall(nest("<struct><member><name>a</name><value>", "</value></member></struct>", 10000, "")),
		"Values":  xmlCall(nest("<value>", "</value>", 10000, "")),
		"Other":   xmlCall(nest("<x>", "</x>", 10000, "")),
		"Open":    xmlCall(strings.Repeat("<array><data><value>", 10000)),
	} {
		start := time.Now()
		_, _, err := ParseXMLCall([]byte(doc))
		var f *Fault
		if !errors.As(err, &f) || f.Code != CodeParse {
			t.Errorf("%s: want a parse fault, got %v", name, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

// TestParseXMLCallLarge checks that time grows linearly with the document.
func TestParseXMLCallLarge(t *testing.T) {
	const n = 100000
	member := "<member><name>k%d</name><value><string>%s</string></value></member>"
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, member, i, "x")
	}
	long := strings.Repeat("&amp;", n) // one value built from many tokens
	start := time.Now()
	_, params, err := ParseXMLCall([]byte(xmlCall("<struct>"+b.String()+"</struct>", "<string>"+long+"</string>")))
	if err != nil {
		t.Fatal(err)
	}
	if len(params[0].(map[string]any)) != n || params[1] != strings.Repeat("&", n) {
		t.Fatal("wrong values")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

// xmlValid checks that every string in a wire value is valid UTF-8 and
// every container non-nil.
func xmlValid(v any, depth int) bool {
	if depth > maxXMLDepth+1 {
		return false
	}
	switch x := v.(type) {
	case string:
		return utf8.ValidString(x)
	case []byte:
		return x != nil
	case []any:
		for _, e := range x {
			if !xmlValid(e, depth+1) {
				return false
			}
		}
		return x != nil
	case map[string]any:
		for k, e := range x {
			if !utf8.ValidString(k) || !xmlValid(e, depth+1) {
				return false
			}
		}
		return x != nil
	case time.Time:
		return x.Location() == time.UTC
	case nil, bool, int64, float64:
		return true
	}
	return false
}

// FuzzParseXMLCall checks that no body makes the XML-RPC decoder panic,
// and that it answers either a call or a -32700/-32600 fault.
func FuzzParseXMLCall(f *testing.F) {
	for _, seed := range []string{
		xmlCall("<int>1</int>", "<struct><member><name>status</name><value><int>4</int></value></member><member><name>start_date</name><value><dateTime.iso8601>20260106T20:30:00</dateTime.iso8601></value></member></struct>"),
		xmlCall("<nil/>", "<ex:nil/>", "<ex:i8>5</ex:i8>", "<string/>", "", "<boolean>1</boolean>", "<double>1.5</double>", "<base64>aGVsbG8=</base64>", "<array><data><value>x</value></data></array>"),
		xmlCall("<dateTime.iso8601>2026-01-06T20:30:00.5+02:00</dateTime.iso8601>", "<string>&lt;&#233;<![CDATA[]]></string>"),
		"<?xml version='1.0' encoding='latin1'?><methodCall><methodName>a\xe9</methodName></methodCall>",
		"\ufeff<methodCall><methodName> a </methodName><params/></methodCall><!--x-->",
		"", "<methodCall/>", "<methodCall><methodName>x</methodName", "<methodCall><methodName>a\xff</methodName></methodCall>",
		`<!DOCTYPE x [<!ENTITY a "b">]><methodCall><methodName>&a;</methodName></methodCall>`,
		`<?xml version="1.0" encoding="koi8-r"?><methodCall/>`,
		xmlCall("<foo/>"), xmlCall("<int>9223372036854775808</int>"), xmlCall(nest("<array><data><value>", "</value></data></array>", 70, "")),
		"<methodCall><methodName>a</methodName></methodCall>junk",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		method, params, err := ParseXMLCall(body)
		if err != nil {
			f, ok := err.(*Fault)
			if !ok || f.Code != CodeParse && f.Code != CodeInvalidRequest {
				t.Fatalf("unexpected error %#v", err)
			}
			return
		}
		if method == "" || params == nil || !utf8.ValidString(method) || !xmlValid(params, 0) {
			t.Fatalf("bad call %q %#v", method, params)
		}
	})
}

func BenchmarkParseXMLCall(b *testing.B) {
	doc := []byte("<?xml version='1.0'?>\n<methodCall>\n<methodName>TestExecution.update</methodName>\n<params>\n<param>\n<value><int>5</int></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>status</name>\n<value><int>4</int></value>\n</member>\n<member>\n<name>start_date</name>\n<value><dateTime.iso8601>20260106T20:30:00</dateTime.iso8601></value>\n</member>\n<member>\n<name>stop_date</name>\n<value><dateTime.iso8601>20260106T20:31:05</dateTime.iso8601></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseXMLCall(doc); err != nil {
			b.Fatal(err)
		}
	}
}
