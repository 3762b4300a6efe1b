# A PostHog project key (public by design) beside a Hugging Face token (a real secret).
. "$EXAMPLES/lib.sh"
init
mkdir -p src scripts
posthog="phc_$(printf 'Q7wLmZ3rT9nXcV2b')KpYdHs8GfJa4WuEo6RtNiBqXz"
printf 'POSTHOG_KEY = "%s"\n' "$posthog" > src/telemetry.py
hf="hf_$(printf 'KqTrWvYzNmPlXsDc')BgHjFaLeRuIoUyTnMw"
printf 'from huggingface_hub import HfApi\n\ntoken = "%s"\nclient = HfApi(token=token)\n' "$hf" \
  > scripts/clean_models.py
commit "telemetry and cleanup"
