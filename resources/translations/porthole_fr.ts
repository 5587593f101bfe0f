<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
    <context>
        <name>AccountController</name>
        <message>
            <location filename="../../app/viewer/controllers/account.py" line="61"/>
            <source>A new link is on its way to {email}.</source>
            <translation>Un nouveau lien part vers {email}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/account.py" line="74"/>
            <source>Your password is changed. Other devices signed out: {count}.</source>
            <translation>Votre mot de passe est changé. Autres appareils déconnectés : {count}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/account.py" line="102"/>
            <source>Two-factor sign-in is off.</source>
            <translation>La connexion en deux étapes est désactivée.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/account.py" line="110"/>
            <source>That device is signed out.</source>
            <translation>Cet appareil est déconnecté.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/account.py" line="121"/>
            <source>Every device was signed out, this one too. Sign in again.</source>
            <translation>Tous les appareils ont été déconnectés, celui-ci aussi. Reconnectez-vous.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/account.py" line="130"/>
            <source>Your account is deleted.</source>
            <translation>Votre compte est supprimé.</translation>
        </message>
    </context>
    <context>
        <name>AccountPanel</name>
        <message>
            <location filename="../../app/viewer/views/account.py" line="50"/>
            <source>Account — Porthole</source>
            <translation>Compte — Porthole</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="73"/>
            <source>Email</source>
            <translation>Adresse e-mail</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="76"/>
            <source>Send the link again</source>
            <translation>Renvoyer le lien</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="85"/>
            <location filename="../../app/viewer/views/account.py" line="148"/>
            <location filename="../../app/viewer/views/account.py" line="213"/>
            <source>Password</source>
            <translation>Mot de passe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="86"/>
            <location filename="../../app/viewer/views/account.py" line="93"/>
            <source>Current password</source>
            <translation>Mot de passe actuel</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="87"/>
            <location filename="../../app/viewer/views/account.py" line="94"/>
            <source>New password</source>
            <translation>Nouveau mot de passe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="88"/>
            <source>Code for changing the password</source>
            <translation>Code pour changer le mot de passe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="89"/>
            <source>Change password</source>
            <translation>Changer le mot de passe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="95"/>
            <location filename="../../app/viewer/views/account.py" line="149"/>
            <location filename="../../app/viewer/views/account.py" line="214"/>
            <source>Code</source>
            <translation>Code</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="102"/>
            <source>Two-factor sign-in</source>
            <translation>Connexion en deux étapes</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="105"/>
            <source>Set up two-factor sign-in</source>
            <translation>Activer la connexion en deux étapes</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="111"/>
            <source>Scan this code with an authenticator app, then enter the 6-digit code it shows.</source>
            <translation>Scannez ce code avec une application d’authentification, puis saisissez le code à 6 chiffres qu’elle affiche.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="116"/>
            <source>QR code to add Porthole to your authenticator app</source>
            <translation>Code QR pour ajouter Porthole à votre application d’authentification</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="119"/>
            <source>Key to type if you cannot scan</source>
            <translation>Clé à saisir si vous ne pouvez pas scanner</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="120"/>
            <location filename="../../app/viewer/views/account.py" line="128"/>
            <source>6-digit code</source>
            <translation>Code à 6 chiffres</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="122"/>
            <source>Turn on</source>
            <translation>Activer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="127"/>
            <source>Key</source>
            <translation>Clé</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="133"/>
            <source>Recovery codes</source>
            <translation>Codes de secours</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="136"/>
            <source>Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are not shown again.</source>
            <translation>Gardez ces codes de secours en lieu sûr : chacun vous connecte une fois si vous perdez votre téléphone. Ils ne seront plus affichés.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="143"/>
            <source>Password for turning two-factor off</source>
            <translation>Mot de passe pour désactiver la connexion en deux étapes</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="144"/>
            <source>Code for turning two-factor off</source>
            <translation>Code pour désactiver la connexion en deux étapes</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="145"/>
            <source>Turn off two-factor sign-in</source>
            <translation>Désactiver la connexion en deux étapes</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="166"/>
            <location filename="../../app/viewer/views/account.py" line="175"/>
            <source>Signed-in devices</source>
            <translation>Appareils connectés</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="169"/>
            <source>Device</source>
            <translation>Appareil</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="169"/>
            <source>Address</source>
            <translation>Adresse</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="169"/>
            <source>Signed in</source>
            <translation>Connecté le</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="169"/>
            <source>Last used</source>
            <translation>Dernière utilisation</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="177"/>
            <source>Sign out the selected device</source>
            <translation>Déconnecter l’appareil choisi</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="180"/>
            <source>Sign out everywhere</source>
            <translation>Se déconnecter partout</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="194"/>
            <source>Delete your account</source>
            <translation>Supprimer votre compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="197"/>
            <source>Your computers are removed and your sign-ins end; your email and password are erased. Payment records are kept, as accounting law requires, tied to no one. This cannot be undone.</source>
            <translation>Vos ordinateurs sont retirés et vos connexions prennent fin ; votre adresse e-mail et votre mot de passe sont effacés. Les enregistrements de paiement sont conservés, comme l’exige la loi comptable, sans lien avec vous. C’est irréversible.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="203"/>
            <source>Password for deleting the account</source>
            <translation>Mot de passe pour supprimer le compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="204"/>
            <source>Code for deleting the account</source>
            <translation>Code pour supprimer le compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="205"/>
            <source>I understand that this cannot be undone</source>
            <translation>Je comprends que c’est irréversible</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="206"/>
            <source>Delete my account</source>
            <translation>Supprimer mon compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="226"/>
            <source>{email} is confirmed.</source>
            <translation>{email} est confirmée.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="229"/>
            <source>{email} is not confirmed yet: open the link we mailed you.</source>
            <translation>{email} n’est pas encore confirmée : ouvrez le lien que nous vous avons envoyé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="238"/>
            <source>On: signing in also asks for a code from your authenticator app.</source>
            <translation>Activée : la connexion demande aussi un code de votre application d’authentification.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="240"/>
            <source>Off: your password alone signs you in.</source>
            <translation>Désactivée : votre mot de passe suffit pour vous connecter.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="267"/>
            <source>Two-factor sign-in is on.</source>
            <translation>La connexion en deux étapes est activée.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="274"/>
            <source>Unnamed device</source>
            <translation>Appareil sans nom</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="276"/>
            <source>{name} (this app)</source>
            <translation>{name} (cette application)</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="301"/>
            <source>Sending…</source>
            <translation>Envoi…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="306"/>
            <source>Saving…</source>
            <translation>Enregistrement…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/account.py" line="342"/>
            <source>Deleting…</source>
            <translation>Suppression…</translation>
        </message>
    </context>
    <context>
        <name>AppController</name>
        <message>
            <location filename="../../app/viewer/controllers/app.py" line="314"/>
            <source>Waking {name} through {via}…</source>
            <translation>Réveil de {name} par {via}…</translation>
        </message>
    </context>
    <context>
        <name>ComputerRow</name>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="41"/>
            <source>New name</source>
            <translation>Nouveau nom</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="53"/>
            <source>Connect</source>
            <translation>Se connecter</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="58"/>
            <location filename="../../app/viewer/views/computers.py" line="237"/>
            <source>Wake</source>
            <translation>Réveiller</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="61"/>
            <source>Wake this computer through another of yours on its network</source>
            <translation>Réveiller cet ordinateur par un autre des vôtres sur son réseau</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="70"/>
            <location filename="../../app/viewer/views/computers.py" line="92"/>
            <source>Rename</source>
            <translation>Renommer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="72"/>
            <location filename="../../app/viewer/views/computers.py" line="79"/>
            <location filename="../../app/viewer/views/computers.py" line="93"/>
            <source>Remove</source>
            <translation>Supprimer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="78"/>
            <source>Remove this computer?</source>
            <translation>Supprimer cet ordinateur ?</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="81"/>
            <source>Cancel</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="88"/>
            <source>More</source>
            <translation>Plus</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="89"/>
            <source>More for this computer</source>
            <translation>Autres actions pour cet ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="139"/>
            <location filename="../../app/viewer/views/computers.py" line="153"/>
            <source>Online</source>
            <translation>En ligne</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="141"/>
            <source>Last seen {when}</source>
            <translation>Dernière connexion le {when}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="143"/>
            <source>Never connected</source>
            <translation>Jamais connecté</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="145"/>
            <source>{system} · {presence}</source>
            <translation>{system} · {presence}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="153"/>
            <source>Offline</source>
            <translation>Hors ligne</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="191"/>
            <source>The screen of {name} when last seen</source>
            <translation>L’écran de {name} la dernière fois qu’il a été vu</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="197"/>
            <source>Computer</source>
            <translation>Ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="237"/>
            <source>Waking…</source>
            <translation>Réveil…</translation>
        </message>
    </context>
    <context>
        <name>ComputersView</name>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="307"/>
            <location filename="../../app/viewer/views/computers.py" line="308"/>
            <source>Search computers</source>
            <translation>Rechercher un ordinateur</translation>
        </message>
    </context>
    <context>
        <name>EmptyState</name>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="248"/>
            <source>No computers yet</source>
            <translation>Aucun ordinateur pour l’instant</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="252"/>
            <source>1. On the computer you want to reach, install Porthole.
2. Run: porthole agent enroll --cloud {cloud} --name "My PC" --code CODE
3. Then: porthole agent run — it appears here, online.</source>
            <translation>1. Sur l’ordinateur auquel vous voulez accéder, installez Porthole.
2. Lancez : porthole agent enroll --cloud {cloud} --name "Mon PC" --code CODE
3. Puis : porthole agent run — il apparaît ici, en ligne.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="263"/>
            <source>Enrolment code</source>
            <translation>Code d’enregistrement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="264"/>
            <source>Get a code to enrol a computer</source>
            <translation>Obtenez un code pour enregistrer un ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="265"/>
            <source>Copy</source>
            <translation>Copier</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="268"/>
            <source>Get a code</source>
            <translation>Obtenir un code</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="288"/>
            <source>Single use; valid until {when}.</source>
            <translation>À usage unique ; valable jusqu’au {when}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/computers.py" line="292"/>
            <source>Copied</source>
            <translation>Copié</translation>
        </message>
    </context>
    <context>
        <name>FilesPanel</name>
        <message>
            <location filename="../../app/viewer/views/files.py" line="63"/>
            <source>Files on the computer</source>
            <translation>Fichiers de l’ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="65"/>
            <source>Up</source>
            <translation>Remonter</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="69"/>
            <source>Files in this folder of the computer</source>
            <translation>Fichiers de ce dossier de l’ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="73"/>
            <source>Download</source>
            <translation>Télécharger</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="75"/>
            <source>Send files…</source>
            <translation>Envoyer des fichiers…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="77"/>
            <source>Or drop files on the window</source>
            <translation>Ou déposez des fichiers sur la fenêtre</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="99"/>
            <source>Reading the folder…</source>
            <translation>Lecture du dossier…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="121"/>
            <source>Only the first {count} are shown.</source>
            <translation>Seuls les {count} premiers sont affichés.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="124"/>
            <source>This folder is empty.</source>
            <translation>Ce dossier est vide.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="145"/>
            <source>Send files</source>
            <translation>Envoyer des fichiers</translation>
        </message>
    </context>
    <context>
        <name>KeyChangedQuestion</name>
        <message>
            <location filename="../../app/viewer/views/key_changed.py" line="13"/>
            <source>Identity changed — Porthole</source>
            <translation>Identité changée — Porthole</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/key_changed.py" line="14"/>
            <source>'{name}' has a new identity.</source>
            <translation>« {name} » a une nouvelle identité.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/key_changed.py" line="17"/>
            <source>Connect anyway</source>
            <translation>Se connecter quand même</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../app/viewer/views/main_window.py" line="27"/>
            <location filename="../../app/viewer/views/main_window.py" line="37"/>
            <source>Account</source>
            <translation>Compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/main_window.py" line="35"/>
            <source>Subscription</source>
            <translation>Abonnement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/main_window.py" line="39"/>
            <source>Sign out</source>
            <translation>Se déconnecter</translation>
        </message>
    </context>
    <context>
        <name>ManagePanel</name>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="19"/>
            <source>Subscription — Porthole</source>
            <translation>Abonnement — Porthole</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="22"/>
            <source>Renew automatically</source>
            <translation>Renouvellement automatique</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="27"/>
            <location filename="../../app/viewer/views/manage.py" line="41"/>
            <source>Date</source>
            <translation>Date</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="27"/>
            <source>Plan</source>
            <translation>Formule</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="27"/>
            <source>Amount</source>
            <translation>Montant</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="27"/>
            <source>Status</source>
            <translation>Statut</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="35"/>
            <source>Purchases</source>
            <translation>Achats</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="42"/>
            <source>Computer</source>
            <translation>Ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="43"/>
            <source>From</source>
            <translation>Depuis</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="44"/>
            <source>Duration</source>
            <translation>Durée</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="45"/>
            <source>Outcome</source>
            <translation>Issue</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="50"/>
            <location filename="../../app/viewer/views/manage.py" line="51"/>
            <source>Recent sessions</source>
            <translation>Sessions récentes</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="60"/>
            <source>{plan}: renews on {date}.</source>
            <translation>{plan} : renouvellement le {date}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="62"/>
            <source>{plan}: access ends on {date}; it will not renew.</source>
            <translation>{plan} : l’accès prend fin le {date}, sans renouvellement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="64"/>
            <source>{plan}.</source>
            <translation>{plan}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="73"/>
            <source>Saving…</source>
            <translation>Enregistrement…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="85"/>
            <source>Paid</source>
            <translation>Payé</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="86"/>
            <source>Waiting for payment</source>
            <translation>En attente de paiement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="87"/>
            <source>Declined</source>
            <translation>Refusé</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="88"/>
            <source>Refunded</source>
            <translation>Remboursé</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="107"/>
            <source>Not joined</source>
            <translation>Non rejointe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="108"/>
            <source>In progress</source>
            <translation>En cours</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="109"/>
            <source>Ended</source>
            <translation>Terminée</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="110"/>
            <source>Ended at the computer</source>
            <translation>Terminée depuis l’ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="111"/>
            <source>Declined at the computer</source>
            <translation>Refusée depuis l’ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="115"/>
            <source>{outcome}, direct</source>
            <translation>{outcome}, en direct</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/manage.py" line="117"/>
            <source>{outcome}, through the relay</source>
            <translation>{outcome}, par le relais</translation>
        </message>
    </context>
    <context>
        <name>PurchasePanel</name>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="27"/>
            <source>Buy a subscription — Porthole</source>
            <translation>Acheter un abonnement — Porthole</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="32"/>
            <source>Payment method</source>
            <translation>Moyen de paiement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="34"/>
            <source>Card</source>
            <translation>Carte bancaire</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="35"/>
            <source>PayPal</source>
            <translation>PayPal</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="36"/>
            <source>Bank transfer</source>
            <translation>Virement bancaire</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="42"/>
            <location filename="../../app/viewer/views/purchase.py" line="54"/>
            <source>Card number</source>
            <translation>Numéro de carte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="44"/>
            <source>MM/YY</source>
            <translation>MM/AA</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="45"/>
            <source>Expiry date</source>
            <translation>Date d’expiration</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="47"/>
            <source>CVC</source>
            <translation>CVC</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="48"/>
            <location filename="../../app/viewer/views/purchase.py" line="56"/>
            <source>Security code</source>
            <translation>Code de sécurité</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="51"/>
            <location filename="../../app/viewer/views/purchase.py" line="58"/>
            <source>PayPal email</source>
            <translation>Adresse e-mail PayPal</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="55"/>
            <source>Expiry (MM/YY)</source>
            <translation>Expiration (MM/AA)</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="60"/>
            <source>You will get the bank details and a reference to use for the transfer.</source>
            <translation>Vous recevrez les coordonnées bancaires et une référence à indiquer pour le virement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="63"/>
            <source>Buy</source>
            <translation>Acheter</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="75"/>
            <source>Try again</source>
            <translation>Réessayer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="79"/>
            <source>Choose a plan</source>
            <translation>Choisissez une formule</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="81"/>
            <source>Pay with</source>
            <translation>Payer par</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="101"/>
            <source>{plan} — {price}</source>
            <translation>{plan} — {price}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="143"/>
            <source>Choose a plan and fill in how you pay.</source>
            <translation>Choisissez une formule et renseignez votre moyen de paiement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="164"/>
            <source>Pay {amount} to {beneficiary}, IBAN {iban}, reference {reference}.</source>
            <translation>Virez {amount} à {beneficiary}, IBAN {iban}, avec la référence {reference}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/purchase.py" line="172"/>
            <source>Sending your payment…</source>
            <translation>Envoi de votre paiement…</translation>
        </message>
    </context>
    <context>
        <name>SessionController</name>
        <message>
            <location filename="../../app/viewer/controllers/session.py" line="267"/>
            <source>What you copied stays here: {size} is more than the {limit} shared.</source>
            <translation>Ce que vous avez copié reste ici : {size}, c’est plus que les {limit} partagés.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/session.py" line="290"/>
            <source>Not sent: {reason}</source>
            <translation>Non envoyé : {reason}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/controllers/session.py" line="314"/>
            <source>The computer did not answer.</source>
            <translation>L’ordinateur n’a pas répondu.</translation>
        </message>
    </context>
    <context>
        <name>SessionWindow</name>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="61"/>
            <source>{computer} — Porthole</source>
            <translation>{computer} — Porthole</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="63"/>
            <location filename="../../app/viewer/views/session_window.py" line="499"/>
            <source>Connecting…</source>
            <translation>Connexion…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="193"/>
            <source>Keyboard</source>
            <translation>Clavier</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="195"/>
            <source>Trackpad</source>
            <translation>Pavé tactile</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="197"/>
            <source>Point as on a laptop's trackpad: the pointer follows your finger's moves</source>
            <translation>Pointer comme sur le pavé tactile d’un portable : le pointeur suit les mouvements de votre doigt</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="201"/>
            <source>Magnifier</source>
            <translation>Loupe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="203"/>
            <source>A long press shows a magnifier: move to point precisely, lift to click</source>
            <translation>Un appui long affiche une loupe : déplacez le doigt pour pointer précisément, levez-le pour cliquer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="207"/>
            <source>Match device</source>
            <translation>Adapter à l’appareil</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="210"/>
            <source>Give the computer's screen this window's shape and size; its own resolution comes back when you leave</source>
            <translation>Donner à l’écran de l’ordinateur la forme et la taille de cette fenêtre ; sa propre résolution revient quand vous partez</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="218"/>
            <source>Clipboard</source>
            <translation>Presse-papiers</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="220"/>
            <source>Share the clipboard: copy on one side, paste on the other</source>
            <translation>Partager le presse-papiers : copier d’un côté, coller de l’autre</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="224"/>
            <source>Sound</source>
            <translation>Son</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="225"/>
            <source>Play the computer's sound here</source>
            <translation>Jouer ici le son de l’ordinateur</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="228"/>
            <source>Files</source>
            <translation>Fichiers</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="230"/>
            <source>Send files to the computer, or browse its files and download them</source>
            <translation>Envoyer des fichiers à l’ordinateur, ou parcourir ses fichiers et les télécharger</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="233"/>
            <source>Fit</source>
            <translation>Ajuster</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="234"/>
            <source>Show the whole screen again</source>
            <translation>Afficher de nouveau tout l’écran</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="236"/>
            <source>Statistics</source>
            <translation>Statistiques</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="238"/>
            <source>Disconnect</source>
            <translation>Déconnecter</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="240"/>
            <source>Full screen</source>
            <translation>Plein écran</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="243"/>
            <source>Monitor</source>
            <translation>Écran</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="249"/>
            <source>Picture quality</source>
            <translation>Qualité de l’image</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="251"/>
            <source>Auto</source>
            <translation>Auto</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="252"/>
            <source>Fast</source>
            <translation>Rapide</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="253"/>
            <source>Best</source>
            <translation>Optimale</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="262"/>
            <source>More</source>
            <translation>Plus</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="263"/>
            <source>More session controls</source>
            <translation>Autres commandes de la session</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="405"/>
            <source>Type here</source>
            <translation>Saisissez ici</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="406"/>
            <source>Text to type on the remote computer</source>
            <translation>Texte à saisir sur l’ordinateur distant</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="470"/>
            <source>{fps:.0f} fps · {kbps:.0f} kbit/s · round trip {rtt} ms · grab {grab} · encode {encode} · network {network} · decode {decode} · render {render} ms</source>
            <translation>{fps:.0f} i/s · {kbps:.0f} kbit/s · aller-retour {rtt} ms · capture {grab} · encodage {encode} · réseau {network} · décodage {decode} · affichage {render} ms</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="488"/>
            <source>This computer's screen keeps its resolution</source>
            <translation>L’écran de cet ordinateur garde sa résolution</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="500"/>
            <source>Connected</source>
            <translation>Connecté</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="501"/>
            <source>Connection lost: reconnecting…</source>
            <translation>Connexion perdue : reconnexion…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="502"/>
            <source>Session ended.</source>
            <translation>Session terminée.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/session_window.py" line="506"/>
            <source>{state} {reason}</source>
            <translation>{state} {reason}</translation>
        </message>
        <message>
            <source>{fps:.0f} fps · {kbps:.0f} kbit/s · round trip {rtt} ms · grab {grab} · encode {encode} · network {network} · decode {decode} ms</source>
            <translation type="vanished">{fps:.0f} i/s · {kbps:.0f} kbit/s · aller-retour {rtt} ms · capture {grab} · encodage {encode} · réseau {network} · décodage {decode} ms</translation>
        </message>
    </context>
    <context>
        <name>SignInView</name>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="25"/>
            <source>you@example.com</source>
            <translation>vous@exemple.fr</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="26"/>
            <location filename="../../app/viewer/views/sign_in.py" line="76"/>
            <source>Email</source>
            <translation>Adresse e-mail</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="29"/>
            <location filename="../../app/viewer/views/sign_in.py" line="77"/>
            <source>Password</source>
            <translation>Mot de passe</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="32"/>
            <location filename="../../app/viewer/views/sign_in.py" line="64"/>
            <source>Code</source>
            <translation>Code</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="33"/>
            <source>6-digit code</source>
            <translation>Code à 6 chiffres</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="35"/>
            <source>Remember me on this device</source>
            <translation>Se souvenir de moi sur cet appareil</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="45"/>
            <source>Retry</source>
            <translation>Réessayer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="99"/>
            <source>Create your account</source>
            <translation>Créez votre compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="99"/>
            <location filename="../../app/viewer/views/sign_in.py" line="100"/>
            <location filename="../../app/viewer/views/sign_in.py" line="140"/>
            <source>Sign in</source>
            <translation>Se connecter</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="100"/>
            <location filename="../../app/viewer/views/sign_in.py" line="140"/>
            <source>Create account</source>
            <translation>Créer le compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="102"/>
            <source>I already have an account</source>
            <translation>J’ai déjà un compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="102"/>
            <source>Create an account</source>
            <translation>Créer un compte</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="115"/>
            <source>Enter your email and password.</source>
            <translation>Saisissez votre adresse e-mail et votre mot de passe.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="135"/>
            <source>Signing in…</source>
            <translation>Connexion…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/sign_in.py" line="155"/>
            <source>{message} Try again in {seconds} s.</source>
            <translation>{message} Réessayez dans {seconds} s.</translation>
        </message>
    </context>
    <context>
        <name>TransferRow</name>
        <message>
            <location filename="../../app/viewer/views/files.py" line="26"/>
            <source>Progress of {name}</source>
            <translation>Progression de {name}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="28"/>
            <source>Cancel</source>
            <translation>Annuler</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="29"/>
            <source>Cancel {name}</source>
            <translation>Annuler {name}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="45"/>
            <source>Waiting for the connection…</source>
            <translation>En attente de la connexion…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="46"/>
            <source>{done} of {size}</source>
            <translation>{done} sur {size}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="47"/>
            <source>Done: {where}</source>
            <translation>Terminé : {where}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="50"/>
            <source>Failed: {reason}</source>
            <translation>Échec : {reason}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/views/files.py" line="51"/>
            <source>Cancelled</source>
            <translation>Annulé</translation>
        </message>
    </context>
    <context>
        <name>core</name>
        <message>
            <location filename="../../app/viewer/controllers/session.py" line="168"/>
            <location filename="../../app/viewer/core/session.py" line="238"/>
            <source>Closed by the viewer.</source>
            <translation>Fermée depuis cette application.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="22"/>
            <source>January</source>
            <translation>janvier</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="23"/>
            <source>February</source>
            <translation>février</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="24"/>
            <source>March</source>
            <translation>mars</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="25"/>
            <source>April</source>
            <translation>avril</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="26"/>
            <source>May</source>
            <translation>mai</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="27"/>
            <source>June</source>
            <translation>juin</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="28"/>
            <source>July</source>
            <translation>juillet</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="29"/>
            <source>August</source>
            <translation>août</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="30"/>
            <source>September</source>
            <translation>septembre</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="31"/>
            <source>October</source>
            <translation>octobre</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="32"/>
            <source>November</source>
            <translation>novembre</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="33"/>
            <source>December</source>
            <translation>décembre</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="36"/>
            <source>Buy subscription</source>
            <translation>Acheter un abonnement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="37"/>
            <source>Manage</source>
            <translation>Gérer</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="38"/>
            <source>Update payment method</source>
            <translation>Changer de moyen de paiement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="43"/>
            <source>Card payment started {when}.</source>
            <translation>Paiement par carte initié {when}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="44"/>
            <source>PayPal payment started {when}.</source>
            <translation>Paiement PayPal initié {when}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="45"/>
            <source>Bank transfer payment started {when}.</source>
            <translation>Paiement par virement initié {when}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="68"/>
            <source>1 {month} {year}</source>
            <translation>1er {month} {year}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="68"/>
            <source>{day} {month} {year}</source>
            <translation>{day} {month} {year}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="75"/>
            <source>ends today</source>
            <translation>dernier jour</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="77"/>
            <source>1 day left</source>
            <translation>encore 1 jour</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="78"/>
            <source>{days} days left</source>
            <translation>encore {days} jours</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="85"/>
            <source>today at {time}</source>
            <translation>aujourd’hui à {time}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="86"/>
            <source>on {date} at {time}</source>
            <translation>le {date} à {time}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="96"/>
            <source>1 month</source>
            <translation>1 mois</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="96"/>
            <source>{n} months</source>
            <translation>{n} mois</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="97"/>
            <source>1 year</source>
            <translation>1 an</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="97"/>
            <source>{n} years</source>
            <translation>{n} ans</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="103"/>
            <source>Card payments are usually confirmed within a few minutes; the subscription starts by itself then.</source>
            <translation>Les paiements par carte sont généralement confirmés en quelques minutes ; l’abonnement démarre alors automatiquement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="108"/>
            <source>The subscription starts by itself as soon as PayPal tells us the money was received.</source>
            <translation>L’abonnement démarre automatiquement dès que PayPal nous confirme la réception du paiement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="112"/>
            <source>Transfer the amount with the reference {reference}. The subscription starts by itself as soon as the money arrives.</source>
            <translation>Virez le montant avec la référence {reference}. L’abonnement démarre automatiquement dès réception du paiement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="117"/>
            <source>The subscription starts by itself as soon as the money arrives.</source>
            <translation>L’abonnement démarre automatiquement dès réception du paiement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="118"/>
            <source>The subscription starts by itself as soon as the payment is confirmed.</source>
            <translation>L’abonnement démarre automatiquement dès que le paiement est confirmé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="124"/>
            <source>{used} of {limit} computers</source>
            <translation>Ordinateurs : {used} sur {limit}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="139"/>
            <source>The renewal payment did not go through.</source>
            <translation>Le paiement du renouvellement n’a pas abouti.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="142"/>
            <source>Access continues until {date} ({left}).</source>
            <translation>L’accès reste ouvert jusqu’au {date} ({left}).</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="146"/>
            <source>Update your payment method to keep your subscription.</source>
            <translation>Mettez à jour votre moyen de paiement pour conserver votre abonnement.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="147"/>
            <source>Payment failed</source>
            <translation>Échec du paiement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="151"/>
            <location filename="../../app/viewer/core/purchase.py" line="66"/>
            <source>The payment was refunded.</source>
            <translation>Le paiement a été remboursé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="153"/>
            <source>It ended on {date}.</source>
            <translation>Il a pris fin le {date}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="154"/>
            <source>Buy a subscription to reach your computers again.</source>
            <translation>Achetez un abonnement pour accéder de nouveau à vos ordinateurs.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="155"/>
            <source>Subscription ended</source>
            <translation>Abonnement terminé</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="157"/>
            <source>Nothing to pay: it came with another product.</source>
            <translation>Rien à payer : il est inclus avec un autre produit.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="161"/>
            <source>Included with your purchase until {date}.</source>
            <translation>Inclus avec votre achat jusqu’au {date}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="163"/>
            <source>Subscription included</source>
            <translation>Abonnement inclus</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="165"/>
            <source>Buy a subscription to reach your computers.</source>
            <translation>Achetez un abonnement pour accéder à vos ordinateurs.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="166"/>
            <source>No subscription</source>
            <translation>Aucun abonnement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="168"/>
            <source>Subscription</source>
            <translation>Abonnement</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="174"/>
            <source>Subscription active</source>
            <translation>Abonnement actif</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="174"/>
            <source>Subscription active · {plan}</source>
            <translation>Abonnement actif · {plan}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="179"/>
            <source>The renewal payment is being processed; access continues meanwhile.</source>
            <translation>Le paiement du renouvellement est en cours ; l’accès est maintenu en attendant.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="181"/>
            <source>Renews on {date}.</source>
            <translation>Renouvellement le {date}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="183"/>
            <source>Ends on {date}; auto-renewal is off.</source>
            <translation>Prend fin le {date} ; renouvellement automatique désactivé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="185"/>
            <source>Renewals are charged to {method}.</source>
            <translation>Les renouvellements sont débités sur {method}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="195"/>
            <source>Payment started {when}.</source>
            <translation>Paiement initié {when}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/banner.py" line="199"/>
            <location filename="../../app/viewer/core/banner.py" line="192"/>
            <source>Payment pending</source>
            <translation>Paiement en attente</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/cloud.py" line="305"/>
            <location filename="../../app/viewer/core/purchase.py" line="63"/>
            <source>The payment was declined.</source>
            <translation>Le paiement a été refusé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/cloud.py" line="361"/>
            <source>The cloud did not answer in time. Check the connection and try again.</source>
            <translation>Le cloud n’a pas répondu à temps. Vérifiez la connexion et réessayez.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/cloud.py" line="368"/>
            <source>The cloud at {url} could not prove its identity (its certificate is not trusted). Nothing was sent. Check the address, or ask its operator.</source>
            <translation>Le cloud à {url} n’a pas pu prouver son identité (son certificat n’est pas reconnu). Rien n’a été envoyé. Vérifiez l’adresse ou adressez-vous à son opérateur.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/cloud.py" line="374"/>
            <source>The cloud at {url} cannot be reached. Check the connection and try again.</source>
            <translation>Impossible de joindre le cloud à l’adresse {url}. Vérifiez la connexion et réessayez.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/cloud.py" line="398"/>
            <source>Sign in to continue.</source>
            <translation>Connectez-vous pour continuer.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/cloud.py" line="448"/>
            <source>The cloud sent an answer this app cannot read. Update the app or try again later.</source>
            <translation>Le cloud a envoyé une réponse que cette application ne sait pas lire. Mettez l’application à jour ou réessayez plus tard.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="156"/>
            <source>Enter the 6-digit code from your authenticator app (or a recovery code).</source>
            <translation>Saisissez le code à 6 chiffres de votre application d’authentification (ou un code de secours).</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="163"/>
            <source>That code is not right. Check the time on your phone, or use a recovery code.</source>
            <translation>Ce code n’est pas le bon. Vérifiez l’heure de votre téléphone, ou utilisez un code de secours.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="170"/>
            <source>The email or password is incorrect.</source>
            <translation>L’adresse e-mail ou le mot de passe est incorrect.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="174"/>
            <source>Your sign-in has ended. Sign in again.</source>
            <translation>Votre connexion a pris fin. Reconnectez-vous.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="178"/>
            <source>This needs an active subscription.</source>
            <translation>Un abonnement actif est nécessaire.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="181"/>
            <source>It is not there any more.</source>
            <translation>Cet élément n’existe plus.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="184"/>
            <source>The same purchase is still being processed; retry in a moment.</source>
            <translation>Ce même achat est encore en cours de traitement ; réessayez dans un instant.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="189"/>
            <source>That clashes with a change made meanwhile.</source>
            <translation>Cela entre en conflit avec une modification faite entre-temps.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="191"/>
            <source>The payment method was refused.</source>
            <translation>Le moyen de paiement a été refusé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="193"/>
            <source>The cloud refused the request.</source>
            <translation>Le cloud a refusé la requête.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="196"/>
            <source>Too many attempts. Wait a moment and try again.</source>
            <translation>Trop de tentatives. Patientez un instant et réessayez.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="202"/>
            <source>Something went wrong on the cloud's side. Try again in a moment.</source>
            <translation>Un problème est survenu du côté du cloud. Réessayez dans un instant.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/errors.py" line="206"/>
            <source>The cloud refused the request ({status}).</source>
            <translation>Le cloud a refusé la requête ({status}).</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="152"/>
            <location filename="../../app/viewer/core/events.py" line="249"/>
            <source>Closed.</source>
            <translation>Fermé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="168"/>
            <source>The event feed is closed.</source>
            <translation>Le flux d’événements est fermé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="215"/>
            <source>The connection to the cloud was closed.</source>
            <translation>La connexion au cloud a été fermée.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="219"/>
            <source>This version of Porthole is too old for the cloud. Update it.</source>
            <translation>Cette version de Porthole est trop ancienne pour le cloud. Mettez-la à jour.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="237"/>
            <source>The cloud cannot be reached. Trying again…</source>
            <translation>Impossible de joindre le cloud. Nouvelle tentative…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="246"/>
            <source>The cloud address is not valid: {url}</source>
            <translation>L’adresse du cloud n’est pas valide : {url}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="276"/>
            <source>The cloud did not accept the event feed.</source>
            <translation>Le cloud n’a pas accepté le flux d’événements.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/events.py" line="295"/>
            <source>The connection to the cloud was lost.</source>
            <translation>La connexion au cloud a été perdue.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/grants.py" line="34"/>
            <location filename="../../app/viewer/core/session.py" line="363"/>
            <source>The cloud could not be reached: {reason}</source>
            <translation>Impossible de joindre le cloud : {reason}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/grants.py" line="70"/>
            <source>The cloud answered {status}.</source>
            <translation>Le cloud a répondu {status}.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/known_keys.py" line="32"/>
            <source>This computer's identity changed since this app last reached it: its key is not the one this app knows. That happens when Porthole was reinstalled on it, or when someone tries to stand in for it. Connect only if you know why it changed.</source>
            <translation>L’identité de cet ordinateur a changé depuis la dernière connexion de cette application : sa clé n’est plus celle qu’elle connaît. Cela arrive quand Porthole y a été réinstallé, ou quand quelqu’un essaie de se faire passer pour lui. Ne vous connectez que si vous savez pourquoi elle a changé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/purchase.py" line="60"/>
            <source>Paid. Your subscription is active.</source>
            <translation>Payé. Votre abonnement est actif.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/purchase.py" line="112"/>
            <source>Sending your order…</source>
            <translation>Envoi de votre commande…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="283"/>
            <source>The session did not start: {reason}</source>
            <translation>La session n’a pas démarré : {reason}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="290"/>
            <location filename="../../app/viewer/core/session.py" line="273"/>
            <source>The computer did not accept the session.</source>
            <translation>L’ordinateur n’a pas accepté la session.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="309"/>
            <source>Waiting for the person at the computer to allow sharing its screen…</source>
            <translation>En attente de l’accord de la personne devant l’ordinateur pour le partage de son écran…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="311"/>
            <source>Waiting for the person at the computer to allow the connection and the sharing of its screen…</source>
            <translation>En attente de l’accord de la personne devant l’ordinateur pour la connexion et le partage de son écran…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="316"/>
            <source>Waiting for the person at the computer to allow the connection…</source>
            <translation>En attente de l’accord de la personne devant l’ordinateur…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="339"/>
            <source>The person at the computer did not allow sharing its screen.</source>
            <translation>La personne devant l’ordinateur n’a pas autorisé le partage de son écran.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="340"/>
            <source>The person at the computer did not allow the session.</source>
            <translation>La personne devant l’ordinateur n’a pas autorisé la session.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="527"/>
            <source>The session was closed: something between you and the computer altered it ({reason}).</source>
            <translation>La session a été fermée : quelque chose entre vous et l’ordinateur l’a modifiée ({reason}).</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="535"/>
            <source>The computer sent something unreadable: {reason}</source>
            <translation>L’ordinateur a envoyé des données illisibles : {reason}</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="544"/>
            <source>The person at the computer ended the session.</source>
            <translation>La personne devant l’ordinateur a mis fin à la session.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="552"/>
            <source>The computer ended the session.</source>
            <translation>L’ordinateur a mis fin à la session.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="553"/>
            <source>The connection to the computer was lost.</source>
            <translation>La connexion à l’ordinateur a été perdue.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/core/session.py" line="711"/>
            <source>The computer's screen could not be shared.</source>
            <translation>L’écran de l’ordinateur n’a pas pu être partagé.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/kiosk.py" line="37"/>
            <source>Kiosk mode needs --cloud, --email and --computer.</source>
            <translation>Le mode kiosque nécessite --cloud, --email et --computer.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/kiosk.py" line="99"/>
            <source>The session ended; starting it again…</source>
            <translation>La session s’est terminée ; redémarrage…</translation>
        </message>
        <message>
            <location filename="../../app/viewer/kiosk.py" line="125"/>
            <source>Sign in once with 'remember me' in the app as {email}, or set PORTHOLE_PASSWORD.</source>
            <translation>Connectez-vous une fois dans l’application en tant que {email} avec « Se souvenir de moi », ou définissez PORTHOLE_PASSWORD.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/kiosk.py" line="146"/>
            <source>No computer named {name} in this account yet.</source>
            <translation>Aucun ordinateur nommé {name} dans ce compte pour l’instant.</translation>
        </message>
        <message>
            <location filename="../../app/viewer/kiosk.py" line="160"/>
            <source>Signing in again…</source>
            <translation>Reconnexion…</translation>
        </message>
    </context>
</TS>
