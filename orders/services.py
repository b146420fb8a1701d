"""Write-side services of the orders app (keyword-only `<entity>_<verb>` functions)."""
