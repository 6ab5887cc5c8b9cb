# Compte du partenaire 🚀
partner = "210987654321" # trustlint:ignore TL013 partner root trust reviewed by l'équipe sécurité
