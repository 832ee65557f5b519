#!/bin/sh
# The official nginx image's entrypoint contract (docker-entrypoint.sh + 20-envsubst-on-templates.sh):
# when the command is nginx, every $NGINX_ENVSUBST_TEMPLATE_DIR/*.template is rendered with envsubst
# into $NGINX_ENVSUBST_OUTPUT_DIR, substituting only the variables whose names match
# $NGINX_ENVSUBST_FILTER (nginx's own $variables are left alone).
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  filter="${NGINX_ENVSUBST_FILTER:-}"
  defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null))
  if [ -d "$template_dir" ] && [ -w "$output_dir" ]; then
    find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
      relative_path="${template#"$template_dir/"}"
      output_path="$output_dir/${relative_path%"$suffix"}"
      mkdir -p "$(dirname "$output_path")"
      echo "$0: rendering $template to $output_path"
      envsubst "$defined_envs" < "$template" > "$output_path"
    done
  fi
fi
exec "$@"
