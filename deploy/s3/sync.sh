#!/usr/bin/env bash
# Publishes a built environment to an S3-compatible bucket (AWS S3, Cloudflare R2,
# MinIO, ...) with the caching each file needs:
#   deploy/s3/sync.sh dist/production s3://my-bucket/modelport [--endpoint-url https://...]
# Put a CDN in front (CloudFront, Cloudflare) and have it add the headers of
# deploy/content-security-policy with a response-headers policy: buckets cannot.
set -euo pipefail
site=${1:?usage: sync.sh SITE_DIR s3://BUCKET/PREFIX [aws options]}
bucket=${2:?usage: sync.sh SITE_DIR s3://BUCKET/PREFIX [aws options]}
shift 2
immutable="public, max-age=31536000, immutable"

# Files named by their content, and registered versions' files: cache for a year.
aws s3 sync "$site" "$bucket" "$@" --exclude "*" \
  --include "app-*" --include "boot-*" --include "style-*" --include "models/*/*/*" \
  --cache-control "$immutable"
# WebAssembly needs its type (some tools guess application/octet-stream).
aws s3 cp "$site" "$bucket" "$@" --recursive --exclude "*" --include "*.wasm" \
  --content-type application/wasm --metadata-directive REPLACE --cache-control "no-cache"
aws s3 cp "$site" "$bucket" "$@" --recursive --exclude "*" --include "app-*_bg.wasm" \
  --content-type application/wasm --metadata-directive REPLACE --cache-control "$immutable"
# Everything else is revalidated on every use, so that a deployment shows at once.
aws s3 sync "$site" "$bucket" "$@" --exclude "app-*" --exclude "boot-*" --exclude "style-*" \
  --exclude "models/*/*/*" --exclude "*.wasm" --cache-control "no-cache" --delete
