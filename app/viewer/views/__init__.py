"""Views only lay out and forward what people do to their controller."""
