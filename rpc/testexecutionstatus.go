package rpc

import (
	"math"
	"net/http"
	"regexp"

	"github.com/tcms/tcms/store"
)

// TestExecutionStatus is the TestExecutionStatus namespace, with update and
// remove that Kiwi lacks: they never leave the server without a positive,
// a neutral or a negative status.
type TestExecutionStatus struct{ s *Server }

var testExecutionStatusMethods = []Method{
	{Name: "TestExecutionStatus.filter", Access: Perms, Perms: []string{"testruns.view_testexecutionstatus"}, Returns: "array",
		Doc: "Test execution statuses matching the query ({id, name, weight, icon, color}), by id. Filterable: id, name, weight, icon, color."},
	{Name: "TestExecutionStatus.create", Access: Perms, Perms: []string{"testruns.add_testexecutionstatus"}, Returns: "struct",
		Doc: "Creates a status from {name (unique, max 60), weight (required; > 0 pass, 0 not done, < 0 failure), icon (CSS classes), color (#rgb or #rrggbb; absent: #FFFFFF)} and returns it."},
	{Name: "TestExecutionStatus.update", Access: Perms, Perms: []string{"testruns.change_testexecutionstatus"}, Returns: "struct",
		Doc: "Sets the given name, weight, icon and color of a status and returns it; refused when no positive, neutral or negative status would remain."},
	{Name: "TestExecutionStatus.remove", Access: Perms, Perms: []string{"testruns.delete_testexecutionstatus"}, Returns: "nil",
		Doc: "Deletes a status; refused when it is the last positive, neutral or negative one and while an execution has it."},
}

// Filter answers TestExecutionStatus.filter.
func (t *TestExecutionStatus) Filter(r *http.Request, args *QueryArgs, reply *[]store.WeightedStatus) (err error) {
	*reply, err = t.s.store.FilterTestExecutionStatuses(r.Context(), args.Query)
	return err
}

// execStatusForm: the name may be blank, the colour defaults to white.
var execStatusForm = weightedForm{nameMax: 60, defaultColor: "#FFFFFF"}

// Create answers TestExecutionStatus.create.
func (t *TestExecutionStatus) Create(r *http.Request, args *ValuesArgs, reply *store.WeightedStatus) error {
	v, err := execStatusForm.create(args.Values)
	if err != nil {
		return err
	}
	*reply, err = t.s.store.CreateTestExecutionStatus(r.Context(), v)
	return err
}

// Update answers TestExecutionStatus.update: absent keys keep their values.
func (t *TestExecutionStatus) Update(r *http.Request, args *StatusUpdateArgs, reply *store.WeightedStatus) error {
	c, err := execStatusForm.read(args.Values, true)
	if err != nil {
		return err
	}
	*reply, err = t.s.store.UpdateTestExecutionStatus(r.Context(), args.StatusID, c)
	return err
}

// Remove answers TestExecutionStatus.remove.
func (t *TestExecutionStatus) Remove(r *http.Request, args *StatusIDArgs, _ *any) error {
	return t.s.store.RemoveTestExecutionStatus(r.Context(), args.StatusID)
}

// weightedForm reads the values of a status with a weight, an icon and a
// colour: a test execution status or a severity.
type weightedForm struct {
	nameMax      int
	nameRequired bool
	defaultColor string // for an absent colour on create; "" makes it required
}

// read reads the fields; with partial, only the keys present (which may
// then not be blank, but for a name that may be blank).
func (w weightedForm) read(values map[string]any, partial bool) (store.WeightedChange, error) {
	f := newForm(values)
	given := func(key string) bool { return !partial || f.has(key) }
	var c store.WeightedChange
	if given("name") {
		c.Name = new(f.text("name", w.nameRequired, w.nameMax))
	}
	if given("weight") {
		c.Weight = new(int32Field(f, "weight"))
	}
	if given("icon") {
		c.Icon = new(cssClassesField(f, "icon", 64))
	}
	if given("color") {
		c.Color = new(hexColorField(f, "color", partial || w.defaultColor == ""))
	}
	return c, f.err()
}

// create reads every field of a new status.
func (w weightedForm) create(values map[string]any) (store.WeightedStatus, error) {
	c, err := w.read(values, false)
	if err != nil {
		return store.WeightedStatus{}, err
	}
	v := store.WeightedStatus{Name: *c.Name, Weight: *c.Weight, Icon: *c.Icon, Color: *c.Color}
	if v.Color == "" {
		v.Color = w.defaultColor
	}
	return v, nil
}

// int32Field reads a required whole number that fits an integer column.
func int32Field(f *form, key string) int32 {
	if v := f.v[key]; v == nil || v == "" {
		f.fail(key, msgRequired)
		return 0
	}
	n := f.integer(key, 0)
	switch {
	case n > math.MaxInt32:
		f.fail(key, "Ensure this value is less than or equal to 2147483647.")
	case n < math.MinInt32:
		f.fail(key, "Ensure this value is greater than or equal to -2147483648.")
	}
	return int32(n)
}

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// hexColorField reads a colour written #rgb or #rrggbb.
func hexColorField(f *form, key string, required bool) string {
	s := f.text(key, required, 25)
	if s != "" && !hexColor.MatchString(s) {
		f.fail(key, "Enter a hex colour: #rgb or #rrggbb.")
	}
	return s
}

var cssClasses = regexp.MustCompile(`^[A-Za-z0-9_-]+( [A-Za-z0-9_-]+)*$`)

// cssClassesField reads a required list of CSS class names, such as
// "fa fa-check-circle-o".
func cssClassesField(f *form, key string, maxLen int) string {
	s := f.text(key, true, maxLen)
	if s != "" && !cssClasses.MatchString(s) {
		f.fail(key, "Enter CSS class names: letters, digits, '-' and '_', separated by single spaces.")
	}
	return s
}
