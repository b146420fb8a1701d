"""Orders: cart, quotes, checkout, payments and shipping."""
