# mlflow-register with no server listening: exit 2 with a clear message, quickly; secrets not printed.
"$MLS_PYTHON" -c "import os; open('model.bin','wb').write(os.urandom(100))"
PORT=$("$MLS_PYTHON" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
start=$(date +%s)
expect_exit 2 env MLFLOW_TRACKING_PASSWORD=hunter2-secret MLFLOW_TRACKING_USERNAME=u mlflow-register --tracking-uri "http://user:pw-in-url@127.0.0.1:$PORT/" --model-file model.bin --model-name m --allow-missing-reports --reason test --retries 1
end=$(date +%s)
expect_grep err 'cannot reach http://\*\*\*@127.0.0.1'
expect_no_grep err 'hunter2-secret'
expect_no_grep err 'pw-in-url'
CLI_CHECKS=$((CLI_CHECKS + 1)); [ $((end - start)) -lt 10 ] || _fail "took $((end - start)) s"
expect_exit 2 mlflow-register show m --tracking-uri "http://127.0.0.1:$PORT" --retries 0
expect_grep err 'cannot reach'
