package session

import (
	"fmt"
	"testing"
	"time"
)

func TestTokenCache(t *testing.T) {
	var c tokenCache
	now := time.Now()
	c.put("live", "s1", now.Add(time.Hour))
	c.put("expired", "s2", now)
	if id, ok := c.get("live", now); !ok || id != "s1" {
		t.Fatalf("live token: %q %v", id, ok)
	}
	if _, ok := c.get("expired", now); ok {
		t.Fatal("an expired token was taken from the cache")
	}
	if _, ok := c.get("unknown", now); ok {
		t.Fatal("an unknown token was found")
	}
	for i := range maxVerifiedTokens {
		c.put(fmt.Sprint(i), "s", now.Add(time.Hour))
	}
	if len(c.m) > maxVerifiedTokens {
		t.Fatalf("the cache grew to %d entries", len(c.m))
	}
}
