package rpc

import (
	"context"
	"net/http"
)

// The bulk removes that answer S-Delete, [total, {model: count}].

// setDeleted returns what sets the reply of a bulk remove to S-Delete,
// [total, {model: count}], unless the remove failed.
func setDeleted(reply *[]any) func(int64, map[string]int64, error) error {
	return func(total int64, counts map[string]int64, err error) error {
		if err == nil {
			*reply = []any{total, counts}
		}
		return err
	}
}

// removeMatching answers an X.remove(query) of the catalogue: the query is
// required ({} is the store's to refuse), the reply is S-Delete.
func removeMatching(r *http.Request, args *QueryArgs, reply *[]any,
	remove func(context.Context, map[string]any) (int64, map[string]int64, error)) error {
	if err := requiredQuery(args.Query); err != nil {
		return err
	}
	return setDeleted(reply)(remove(r.Context(), args.Query))
}
