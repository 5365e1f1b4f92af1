package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Tag is the Tag namespace. Tagging records (TestCase.add_tag ...) creates
// missing tags too, with the same permission, through one store rule.
type Tag struct{ s *Server }

var tagMethods = []Method{
	{Name: "Tag.create", Access: Perms, Perms: []string{"management.add_tag"}, Returns: "struct",
		Doc: "Creates a tag from {name (max 255)} and returns {id, name}. Names are not unique, as in Kiwi."},
	{Name: "Tag.filter", Access: Perms, Perms: []string{"management.view_tag"}, Returns: "array",
		Doc: "Tags matching the query, by id, one row per combination of the case, plan, run, execution and bug (bugs) each labels, ids or null. Filterable: id, name, case, case__summary, plan, plan__name, run, run__summary, execution, bugs, bugs__summary; filtering on a relation keeps only its matching rows, as Kiwi."},
}

// Create answers Tag.create.
func (t *Tag) Create(r *http.Request, args *ValuesArgs, reply *store.Tag) error {
	f := newForm(args.Values)
	name := f.text("name", true, 255)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = t.s.store.CreateTag(r.Context(), name)
	return err
}

// Filter answers Tag.filter.
func (t *Tag) Filter(r *http.Request, args *QueryArgs, reply *[]store.TagRow) (err error) {
	*reply, err = t.s.store.FilterTags(r.Context(), args.Query)
	return err
}
