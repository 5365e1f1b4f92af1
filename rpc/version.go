package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Version is the Version namespace: product versions.
type Version struct{ s *Server }

var versionMethods = []Method{
	{Name: "Version.filter", Access: Perms, Perms: []string{"management.view_version"}, Returns: "array",
		Doc: "Versions matching the query as {id, value, product, product__name}, by product then id."},
	{Name: "Version.create", Access: Perms, Perms: []string{"management.add_version"}, Returns: "struct",
		Doc: "Creates a version from {product, value} (unique per product) with its unspecified build; returns {id, value, product}."},
	{Name: "Version.update", Access: Perms, Perms: []string{"management.change_version"}, Returns: "struct",
		Doc: "Sets the given fields of a version (value, product; absent ones are kept) and returns {id, value, product}."},
	{Name: "Version.remove", Access: Perms, Perms: []string{"management.delete_version"}, Returns: "array",
		Doc: "Deletes the versions a non-empty query matches with their builds and returns [total, {model: count}]; refused, naming it and what refers to it, while a test plan, test run, test execution or bug refers to one of them or to its builds."},
}

// Filter answers Version.filter.
func (v *Version) Filter(r *http.Request, args *QueryArgs, reply *[]store.VersionRow) (err error) {
	*reply, err = v.s.store.FilterVersions(r.Context(), args.Query)
	return err
}

// Create answers Version.create.
func (v *Version) Create(r *http.Request, args *ValuesArgs, reply *store.Version) error {
	f := newForm(args.Values)
	value := f.text("value", true, 192)
	product := f.id("product", true)
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = v.s.store.CreateVersion(r.Context(), *product, value)
	return err
}

// VersionUpdateArgs are the parameters of Version.update.
type VersionUpdateArgs struct {
	VersionID int64          `json:"version_id"`
	Values    map[string]any `json:"values"`
}

// Update answers Version.update.
func (v *Version) Update(r *http.Request, args *VersionUpdateArgs, reply *store.Version) error {
	f := newForm(args.Values)
	value, product := patchText(f, "value", 192), patchID(f, "product")
	if err := f.err(); err != nil {
		return err
	}
	var err error
	*reply, err = v.s.store.UpdateVersion(r.Context(), args.VersionID, value, product)
	return err
}

// Remove answers Version.remove with [total, {model: count}].
func (v *Version) Remove(r *http.Request, args *QueryArgs, reply *[]any) error {
	return removeMatching(r, args, reply, v.s.store.RemoveVersions)
}
