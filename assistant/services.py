"""Write-side services of the assistant app (keyword-only `<entity>_<verb>` functions)."""
