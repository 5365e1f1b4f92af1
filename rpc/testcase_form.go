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

// caseFields reads the test case fields both create and update take, for
// the keys present in the form (all keys when all is true).
func (f *form) caseFields(all bool) store.CaseFields {
	var v store.CaseFields
	given := func(key string) bool { return all || f.has(key) }
	if given("summary") {
		v.Summary = new(f.text("summary", true, 255))
	}
	if given("is_automated") {
		v.IsAutomated = new(f.boolean("is_automated", false))
	}
	if given("text") {
		v.Text = new(f.text("text", false, 0))
	}
	// In this order, for the error list.
	for _, t := range []struct {
		key    string
		set    *bool
		v      **string
		maxLen int
	}{{"script", &v.SetScript, &v.Script, 0}, {"arguments", &v.SetArguments, &v.Arguments, 0},
		{"notes", &v.SetNotes, &v.Notes, 0}, {"requirement", &v.SetRequirement, &v.Requirement, 255}} {
		if *t.set = given(t.key); *t.set {
			*t.v = f.optText(t.key, t.maxLen)
		}
	}
	if v.SetExtraLink = given("extra_link"); v.SetExtraLink {
		v.ExtraLink = f.link("extra_link")
	}
	if v.SetSetupDuration = given("setup_duration"); v.SetSetupDuration {
		v.SetupDuration = f.duration("setup_duration")
	}
	if v.SetTestingDuration = given("testing_duration"); v.SetTestingDuration {
		v.TestingDuration = f.duration("testing_duration")
	}
	for _, t := range []struct {
		key string
		id  **int64
	}{{"case_status", &v.CaseStatus}, {"category", &v.Category}, {"priority", &v.Priority}} {
		if given(t.key) {
			*t.id = f.id(t.key, true)
		}
	}
	return v
}
