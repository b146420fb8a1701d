"""Write-side services of the leads app (keyword-only `<entity>_<verb>` functions)."""
