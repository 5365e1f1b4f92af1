package store

import (
	"slices"
	"strings"
)

// catalogueModels lists, per app label, the models whose add, change,
// delete and view permissions exist, as Django creates them for Kiwi TCMS
// (Kiwi's permission catalogue; docs/permissions.md). The "tcms" app holds the labels of our own
// additions.
var catalogueModels = map[string][]string{
	"admin":           {"logentry"},
	"attachments":     {"attachment"},
	"auth":            {"group", "permission", "user"},
	"bugs":            {"bug", "bug_executions", "bug_tags", "severity"},
	"captcha":         {"captchastore"},
	"contenttypes":    {"contenttype"},
	"django_comments": {"comment", "commentflag"},
	"guardian":        {"groupobjectpermission", "userobjectpermission"},
	"kiwi_auth":       {"useractivationkey"},
	"linkreference":   {"linkreference"},
	"management": {"build", "classification", "component", "historicalbuild", "historicalproduct",
		"historicalversion", "priority", "product", "tag", "version"},
	"sessions":      {"session"},
	"sites":         {"site"},
	"tcms":          {"objectpermission", "trustpolicy"},
	"tcms_tenants":  {"domain", "tenant"},
	"tenant_groups": {"group"},
	"testcases": {"bugsystem", "category", "historicaltemplate", "historicaltestcase", "property",
		"template", "testcase", "testcasecomponent", "testcaseemailsettings", "testcaseplan",
		"testcasestatus", "testcasetag"},
	"testplans": {"historicaltestplan", "plantype", "testplan", "testplanemailsettings", "testplantag"},
	"testruns": {"environment", "environmentproperty", "historicaltestexecution", "historicaltestrun",
		"property", "testexecution", "testexecutionproperty", "testexecutionstatus", "testexecutiontag",
		"testrun", "testruncc", "testruntag"},
}

// catalogueExtra are the permissions beyond add/change/delete/view.
var catalogueExtra = []string{"attachments.delete_foreign_attachments", "django_comments.can_moderate"}

// testerApps are the apps whose every label the Tester group holds, except
// testerExcluded, as Kiwi's Tester group (docs/permissions.md, Default groups).
var testerApps = []string{"attachments", "bugs", "django_comments", "linkreference", "management", "testcases", "testplans", "testruns"}

// TestManagementApp tells whether an app label is one of test management
// (the apps the Tester group covers), not of accounts, grants or tenants.
func TestManagementApp(app string) bool { return slices.Contains(testerApps, app) }

const testerExcluded = "attachments.delete_foreign_attachments"

// The default groups: they always exist and cannot be renamed or deleted.
const (
	AdministratorGroup = "Administrator"
	TesterGroup        = "Tester"
)

// Permission is one label of the catalogue.
type Permission struct {
	AppLabel string `json:"app_label" db:"app_label"`
	Codename string `json:"codename" db:"codename"`
	Name     string `json:"name" db:"name"`
}

// Label is "app_label.codename".
func (p Permission) Label() string { return p.AppLabel + "." + p.Codename }

// catalogue is every permission the code knows, sorted by label.
var catalogue = buildCatalogue()

func buildCatalogue() []Permission {
	var out []Permission
	for app, models := range catalogueModels {
		for _, model := range models {
			for _, action := range []string{"add", "change", "delete", "view"} {
				out = append(out, Permission{app, action + "_" + model, "Can " + action + " " + model})
			}
		}
	}
	for _, label := range catalogueExtra {
		app, codename, _ := strings.Cut(label, ".")
		out = append(out, Permission{app, codename, "Can " + strings.ReplaceAll(codename, "_", " ")})
	}
	slices.SortFunc(out, func(a, b Permission) int { return strings.Compare(a.Label(), b.Label()) })
	return out
}

// Catalogue returns every permission label the server knows, sorted.
func Catalogue() []string {
	out := make([]string, len(catalogue))
	for i, p := range catalogue {
		out[i] = p.Label()
	}
	return out
}

// KnownPermission tells whether label is in the catalogue.
func KnownPermission(label string) bool {
	_, found := slices.BinarySearchFunc(catalogue, label, func(p Permission, l string) int { return strings.Compare(p.Label(), l) })
	return found
}

// testerLabels is the Tester group's default set.
func testerLabels() []string {
	var out []string
	for _, p := range catalogue {
		if slices.Contains(testerApps, p.AppLabel) && p.Label() != testerExcluded {
			out = append(out, p.Label())
		}
	}
	return out
}

// defaultSets maps each default group to its default labels.
func defaultSets() map[string][]string {
	return map[string][]string{AdministratorGroup: Catalogue(), TesterGroup: testerLabels()}
}
