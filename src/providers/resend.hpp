#pragma once

#include "providers/standard.hpp"

namespace hooktool::providers {

// Resend (resend.webhooks.verify): delivered through Svix, svix-* headers, whsec_ secrets.
// Its headers are Svix's: listen tells it from Svix by the secret it holds, else by the body's
// shape (providers::told_apart); listen --provider resend names it regardless.
const StandardFlavour& resend_flavour();

} // namespace hooktool::providers
