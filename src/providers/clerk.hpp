#pragma once

#include "providers/standard.hpp"

namespace hooktool::providers {

// Clerk (@clerk/backend/webhooks verifyWebhook): delivered through Svix; only svix-* headers
// are read (webhook-* alone are "missing"), their values trimmed; whsec_ secrets. Its
// headers are Svix's: listen tells it from Svix by the secret it holds, else by the body's
// shape (providers::told_apart); listen --provider clerk names it regardless.
const StandardFlavour& clerk_flavour();

} // namespace hooktool::providers
