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
		Doc: "Tags matching the query, by id, one row per combination of the case, plan, run, execution and bug (bugs) each labels, ids or null. Filterable: id, name, and case, plan, run, execution and bugs with their fields (docs/filters.md); filtering on a relation keeps only its matching rows, as Kiwi."},
	{Name: "Tag.update", Access: Perms, Perms: []string{"management.change_tag"}, Returns: "struct",
		Doc: "Renames a tag: values {name} (required, at most 255 characters); returns {id, name}."},
	{Name: "Tag.remove", Access: Perms, Perms: []string{"management.delete_tag"}, Returns: "array",
		Doc: "Deletes the tags a non-empty query matches (Tag.filter's keys) and returns [total, {model: count}]; refused, naming it and what it labels, while one of them labels a test case, plan, run, execution or bug."},
}

// Create answers Tag.create.
func (t *Tag) Create(r *http.Request, args *ValuesArgs, reply *store.Tag) error {
	name, err := requiredName(args.Values, 255)
	if err == nil {
		*reply, err = t.s.store.CreateTag(r.Context(), name)
	}
	return err
}

// Filter answers Tag.filter.
func (t *Tag) Filter(r *http.Request, args *QueryArgs, reply *[]store.TagRow) (err error) {
	*reply, err = t.s.store.FilterTags(r.Context(), args.Query)
	return err
}

// TagUpdateArgs are the parameters of Tag.update.
type TagUpdateArgs struct {
	TagID  int64          `json:"tag_id"`
	Values map[string]any `json:"values"`
}

// Update answers Tag.update.
func (t *Tag) Update(r *http.Request, args *TagUpdateArgs, reply *store.Tag) error {
	name, err := requiredName(args.Values, 255)
	if err == nil {
		*reply, err = t.s.store.UpdateTag(r.Context(), args.TagID, name)
	}
	return err
}

// Remove answers Tag.remove with [total, {model: count}].
func (t *Tag) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, t.s.store.RemoveTags)
}
