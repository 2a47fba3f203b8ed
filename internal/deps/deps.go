//go:build tools

// Package deps pins the module's dependencies until code imports them.
package deps

import (
	_ "github.com/gofiber/fiber/v2"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/skip2/go-qrcode"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/tools/txtar"
	_ "gopkg.in/yaml.v3"
)
