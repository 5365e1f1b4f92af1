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
