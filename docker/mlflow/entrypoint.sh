#!/bin/sh
# Starts `mlflow server` from the environment (see docker/mlflow/Dockerfile); arguments given
# to the container are appended (e.g. --app-name basic-auth).
#   MLFLOW_BACKEND_STORE_URI      sqlite:////mlflow/data/mlflow.db, or postgresql://user:pw@host/db
#   MLFLOW_ARTIFACTS_DESTINATION  /mlflow/artifacts, or s3://bucket (+ MLFLOW_S3_ENDPOINT_URL,
#                                 AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY for MinIO)
#   MLFLOW_ALLOWED_HOSTS          Host headers accepted (MLflow's DNS-rebinding protection); the
#                                 default lets Jenkins reach it as mlflow-server:5000
set -eu
set -- mlflow server \
  --host "$MLFLOW_HOST" --port "$MLFLOW_PORT" --workers "$MLFLOW_WORKERS" \
  --backend-store-uri "$MLFLOW_BACKEND_STORE_URI" \
  --artifacts-destination "$MLFLOW_ARTIFACTS_DESTINATION" --serve-artifacts \
  --allowed-hosts "$MLFLOW_ALLOWED_HOSTS" \
  "$@"
echo "mlflow-entrypoint: starting mlflow server on $MLFLOW_HOST:$MLFLOW_PORT" >&2
exec "$@"
