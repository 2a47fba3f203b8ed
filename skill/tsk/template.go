package tsk

// Template types of Display.RenderTemplate.
const (
	NewsBodyTemplate        = "NewsBodyTemplate"        // text up to 3 lines (≈54 Chinese characters), background image and audio
	NewsBodyTemplate1       = "NewsBodyTemplate1"       // text up to 2 lines
	TextBodyTemplate        = "TextBodyTemplate"        // text only
	HorizontialListTemplate = "HorizontialListTemplate" // a horizontal list of items; the platform spells it so
)

// RenderTemplate shows a template on a screened device.
type RenderTemplate struct {
	Token    string   `json:"token"`
	Template Template `json:"template"`
}

// Template is the content of a RenderTemplate; which fields apply depends on
// Type (one of the template constants). The platform's own example writes
// "HorizontialListTemplate " with a trailing space; it is kept as received.
type Template struct {
	Type            string       `json:"type"`
	Title           string       `json:"title,omitempty"`
	TextContent     *TextContent `json:"textContent,omitempty"`
	BackgroundImage *Image       `json:"backgroundImage,omitempty"`
	BackgroundAudio *Audio       `json:"backgroundAudio,omitempty"`
	ListItems       []ListItem   `json:"listItems,omitempty"`
}

// TextContent is a title and a description.
type TextContent struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// ListItem is one item of a HorizontialListTemplate; tapping it sends a
// Display.ElementSelected request carrying Token.
type ListItem struct {
	Token       string       `json:"token"`
	TextContent *TextContent `json:"textContent,omitempty"`
	Image       *Image       `json:"image,omitempty"`
}

// Image is a picture by URL with an optional description.
type Image struct {
	ContentDescription string `json:"contentDescription,omitempty"`
	Source             Source `json:"source"`
}

// Audio is a sound by URL.
type Audio struct {
	Source Source `json:"source"`
}

// Source is the URL of an image or audio.
type Source struct {
	URL string `json:"url"`
}

// NewImage returns an Image of url.
func NewImage(url string) *Image { return &Image{Source: Source{URL: url}} }
