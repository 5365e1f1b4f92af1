package store

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters OWASP recommends for the smallest memory cost.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// argonPrefix starts every hash hashPassword writes; a hash with other
// parameters still verifies but is rewritten at the next login.
var argonPrefix = fmt.Sprintf("argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, argonMemory, argonTime, argonThreads)

// unusablePassword is stored for accounts without a password; it never
// verifies (Django marks these with a leading "!").
const unusablePassword = "!"

// hashPassword returns the argon2id hash of password in PHC form:
// argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, base64 without padding.
func hashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return argonPrefix + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)
}

// verifyPassword tells whether password matches the stored hash, and
// whether the hash should be replaced by hashPassword's (a Django hash, or
// argon2id with older parameters). Unknown or malformed hashes never match,
// which also covers Django's unusable passwords ("!...").
func verifyPassword(hash, password string) (ok, rehash bool) {
	switch {
	case strings.HasPrefix(hash, "argon2id$"):
		return verifyArgon2id(hash, password), !strings.HasPrefix(hash, argonPrefix)
	case strings.HasPrefix(hash, "pbkdf2_sha256$"):
		return verifyDjangoPBKDF2(hash, password), true
	}
	return false, false
}

func verifyArgon2id(hash, password string) bool {
	// argon2id, v=19, m=..,t=..,p=.., salt, key
	parts := strings.Split(hash, "$")
	if len(parts) != 5 || parts[1] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 || t == 0 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[3])
	want, err2 := b64.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// verifyDjangoPBKDF2 checks Django's pbkdf2_sha256$<iterations>$<salt>$<key>
// format (standard base64 key), so users imported from Kiwi TCMS can log in.
func verifyDjangoPBKDF2(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter <= 0 {
		return false
	}
	want, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil || len(want) != sha256.Size {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, []byte(parts[2]), iter, sha256.Size)
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// usableHash tells whether a stored hash can ever match: an account
// without a password ("!") cannot, and is checked against dummyHash
// instead so that it takes as long as any other.
func usableHash(hash string) bool {
	return strings.HasPrefix(hash, "argon2id$") || strings.HasPrefix(hash, "pbkdf2_sha256$")
}

// dummyHash is verified against when the username is unknown, so that the
// answer takes as long as for a wrong password and does not tell which
// usernames exist. Built on first use to keep process start fast.
var dummyHash = sync.OnceValue(func() string { return hashPassword("dummy password") })
