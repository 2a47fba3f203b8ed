// Package catalog loads the product catalog from its YAML file and checks it.
// The file format is documented in default.yaml, the demo catalog built into
// the binary: what the skill sells when no catalog file is configured.
package catalog

import (
	"bytes"
	_ "embed" // the demo catalog
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Parse decodes and validates a catalog. Unknown keys are an error, so a typo
// such as "prise:" stops the start instead of selling at price 0.
func Parse(data []byte) (*shop.Catalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c shop.Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("catalog: empty file")
		}
		return nil, fmt.Errorf("catalog: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

//go:embed default.yaml
var defaultYAML []byte

// Default returns the demo catalog built into the binary (default.yaml).
func Default() (*shop.Catalog, error) {
	c, err := Parse(defaultYAML)
	if err != nil {
		return nil, fmt.Errorf("default catalog: %w", err)
	}
	return c, nil
}

// Load reads and parses the catalog file at path; an empty path is the
// built-in demo catalog (Default).
func Load(path string) (*shop.Catalog, error) {
	if path == "" {
		return Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
