# Sourced by the load benches: our app with DEBUG off next to the emulators.
#
# A bench, never a deployment: the sandbox is allowed without DEBUG, and as
# the settings give no emulator defaults then, every external URL and client
# is named here, all pointing at SANDBOX_URL (set it before sourcing).
export SANDBOX=true SANDBOX_ALLOW_IN_PRODUCTION=true TVM_ENABLED=false
export HH_API_URL="${SANDBOX_URL}/hh" HH_OAUTH_URL="${SANDBOX_URL}/hh"
export SUPERJOB_API_URL="${SANDBOX_URL}/superjob/2.0" SUPERJOB_OAUTH_URL="${SANDBOX_URL}/superjob"
export HH_CLIENT_ID=sandbox-hh-client HH_CLIENT_SECRET=sandbox-hh-secret
export SUPERJOB_CLIENT_ID=1 SUPERJOB_CLIENT_SECRET=v3.r.sandbox-superjob-secret
export YT_PROXY_URL="${SANDBOX_URL}/yt" TRACKER_API_URL="${SANDBOX_URL}/tracker"
export FREELANCER_CERTIFICATES_API_URL="${SANDBOX_URL}/certification"
