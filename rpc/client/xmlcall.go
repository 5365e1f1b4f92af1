package client

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// encodeXMLCall writes an XML-RPC methodCall. It knows the types calls
// are built from: nil, bool, integers, float64, string, time.Time (sent as
// UTC), []any and map[string]any; anything else is sent as its fmt text.
func encodeXMLCall(method string, params []any) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>`)
	xml.EscapeText(&b, []byte(method))
	b.WriteString("</methodName><params>")
	for _, p := range params {
		b.WriteString("<param>")
		writeXMLValue(&b, p)
		b.WriteString("</param>")
	}
	b.WriteString("</params></methodCall>")
	return b.Bytes()
}

func writeXMLValue(b *bytes.Buffer, v any) {
	b.WriteString("<value>")
	switch v := v.(type) {
	case nil:
		b.WriteString("<nil/>")
	case bool:
		if v {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case int:
		writeXMLScalar(b, "int", strconv.Itoa(v))
	case int64:
		writeXMLScalar(b, "int", strconv.FormatInt(v, 10))
	case float64:
		writeXMLScalar(b, "double", strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		b.WriteString("<string>")
		xml.EscapeText(b, []byte(v))
		b.WriteString("</string>")
	case time.Time:
		writeXMLScalar(b, "dateTime.iso8601", v.UTC().Format("20060102T15:04:05"))
	case []any:
		b.WriteString("<array><data>")
		for _, e := range v {
			writeXMLValue(b, e)
		}
		b.WriteString("</data></array>")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("<struct>")
		for _, k := range keys {
			b.WriteString("<member><name>")
			xml.EscapeText(b, []byte(k))
			b.WriteString("</name>")
			writeXMLValue(b, v[k])
			b.WriteString("</member>")
		}
		b.WriteString("</struct>")
	default:
		b.WriteString("<string>")
		xml.EscapeText(b, []byte(fmt.Sprint(v)))
		b.WriteString("</string>")
	}
	b.WriteString("</value>")
}

func writeXMLScalar(b *bytes.Buffer, tag, text string) {
	b.WriteString("<" + tag + ">" + text + "</" + tag + ">")
}
