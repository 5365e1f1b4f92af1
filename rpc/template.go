package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Template is the Template namespace: starting texts for test cases.
type Template struct{ s *Server }

var templateMethods = []Method{
	{Name: "Template.create", Access: Perms, Perms: []string{"testcases.add_template"}, Returns: "struct",
		Doc: "Creates a template from {name (max 255), text (not blank)} and returns {id, name, text}."},
	{Name: "Template.filter", Access: Perms, Perms: []string{"testcases.view_template"}, Returns: "array",
		Doc: "Templates matching the query ({id, name, text}), by id. Filterable: id, name, text."},
}

// Create answers Template.create.
func (t *Template) Create(r *http.Request, args *ValuesArgs, reply *store.Template) error {
	f := newForm(args.Values)
	name, text := f.text("name", true, 255), f.text("text", true, 0)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.CreateTemplate(r.Context(), name, text)
	return err
}

// Filter answers Template.filter.
func (t *Template) Filter(r *http.Request, args *QueryArgs, reply *[]store.Template) (err error) {
	*reply, err = t.s.store.FilterTemplates(r.Context(), args.Query)
	return err
}
