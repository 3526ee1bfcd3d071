# mlflow-register: help, version and usage errors (exit 4); nothing needs a server.
expect_exit 0 mlflow-register --help
expect_grep out '^Usage: mlflow-register '
expect_grep out '--model-card=FILE\|TEXT'
expect_grep out '--allow-missing-reports'
expect_grep out 'MLFLOW_TRACKING_TOKEN'
expect_exit 0 mlflow-register --version
expect_grep out '^mlflow-register \(mlsecops\) '
expect_exit 0 mlflow-register show --help
expect_grep out '--version=N'
expect_exit 4 mlflow-register --bogus
expect_grep err "unknown option '--bogus'"
expect_exit 4 env -u MLFLOW_TRACKING_URI mlflow-register --model-file m --model-name n
expect_grep err 'MLFLOW_TRACKING_URI'
expect_exit 4 mlflow-register --tracking-uri http://127.0.0.1:9 --model-name n
expect_grep err 'model-file and --model-name are required'
expect_exit 4 mlflow-register --tracking-uri sqlite:///x.db --model-file m --model-name n
expect_exit 4 mlflow-register --tracking-uri http://127.0.0.1:9 --model-file m --model-name n --allow-findings
expect_grep err 'need --reason'
expect_exit 4 mlflow-register --tracking-uri http://127.0.0.1:9 --model-file m --model-name n --format sarif
expect_exit 4 mlflow-register --tracking-uri http://127.0.0.1:9 --model-file m --model-name n --tag novalue
expect_exit 4 mlflow-register --tracking-uri http://127.0.0.1:9 --model-file m --model-name n --fail-on extreme
expect_exit 4 mlflow-register --tracking-uri http://127.0.0.1:9 --model-file m --model-name n extra
expect_exit 4 mlflow-register show --tracking-uri http://127.0.0.1:9
expect_exit 4 mlflow-register show a b --tracking-uri http://127.0.0.1:9
expect_exit 4 mlflow-register show a --version 1 --alias x --tracking-uri http://127.0.0.1:9
expect_exit 4 mlflow-register show a --format xml --tracking-uri http://127.0.0.1:9
