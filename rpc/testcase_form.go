package rpc

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tcms/tcms/store"
)

// Readers of the test case form fields that decode.go lacks: durations
// and optional texts.

// Django's duration formats: "[DD] [[HH:]MM:]ss[.uuuuuu]", ISO 8601 and
// the PostgreSQL interval style.
var (
	durationStandard = regexp.MustCompile(`^(?:(-?\d+) (?:days?, )?)?(-?)(?:(?:(\d+):)?(\d+):)?(\d+)(?:[.,](\d{1,6})\d{0,6})?$`)
	durationISO      = regexp.MustCompile(`^([-+]?)P(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)
	durationPostgres = regexp.MustCompile(`^(?:(-?\d+) (?:days? ?))?(?:([-+])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?$`)
)

// parseDuration reads a duration as Django's parse_duration does.
func parseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	num := func(x string) float64 { f, _ := strconv.ParseFloat(strings.Replace(x, ",", ".", 1), 64); return f }
	micro := func(x string) float64 { return num((x + "000000")[:6]) }
	if m := durationStandard.FindStringSubmatch(s); m != nil && s != "" {
		d := (num(m[3])*3600+num(m[4])*60+num(m[5]))*1e6 + micro(m[6])
		if m[2] == "-" {
			d = -d
		}
		return time.Duration(num(m[1])*86400e6+d) * time.Microsecond, true
	}
	if m := durationISO.FindStringSubmatch(s); m != nil && s != "P" && !strings.HasSuffix(s, "T") {
		d := num(m[2])*86400 + num(m[3])*3600 + num(m[4])*60 + num(m[5])
		if m[1] == "-" {
			d = -d
		}
		return time.Duration(d * 1e9), true
	}
	if m := durationPostgres.FindStringSubmatch(s); m != nil && s != "" {
		d := (num(m[3])*3600+num(m[4])*60+num(m[5]))*1e6 + micro(m[6])
		if m[2] == "-" {
			d = -d
		}
		return time.Duration(num(m[1])*86400e6+d) * time.Microsecond, true
	}
	return 0, false
}

// duration reads a duration field; absent, null and "" give nil.
func (f *form) duration(key string) *time.Duration {
	s, ok, err := f.v.str(key)
	if !ok || err == nil && strings.TrimSpace(s) == "" {
		return nil
	}
	d, good := parseDuration(s)
	if err != nil || !good {
		f.fail(key, "Enter a valid duration.")
		return nil
	}
	return &d
}

// optText reads a nullable text column: nil when absent, null or "".
func (f *form) optText(key string, maxLen int) *string {
	if s := f.text(key, false, maxLen); s != "" {
		return &s
	}
	return nil
}

// caseValues reads the test case fields both create and update take, for
// the keys present in the form (all keys when all is true).
func (f *form) caseValues(all bool) store.CaseValues {
	v := store.CaseValues{}
	put := func(key, col string, read func() any) {
		if all || f.has(key) {
			v[col] = read()
		}
	}
	put("summary", "summary", func() any { return f.text("summary", true, 255) })
	put("is_automated", "is_automated", func() any { return f.boolean("is_automated", false) })
	put("text", "text", func() any { return f.text("text", false, 0) })
	for _, k := range []string{"script", "arguments", "notes"} {
		put(k, k, func() any { return f.optText(k, 0) })
	}
	put("requirement", "requirement", func() any { return f.optText("requirement", 255) })
	put("extra_link", "extra_link", func() any { return f.link("extra_link") })
	for _, k := range []string{"setup_duration", "testing_duration"} {
		put(k, k, func() any { return f.duration(k) })
	}
	for _, k := range []string{"case_status", "category", "priority"} {
		put(k, k+"_id", func() any { return f.id(k, true) })
	}
	return v
}
